/**
 * The demo's pictures and report: training curves, learned filters, feature maps, labelled predictions, a
 * confusion matrix and an {@code index.html} showing them, plus the console report. Everything here needs only
 * a model, an engine, the per-epoch history and images as arrays ({@link dev.fovea.cli.demo.ImageSet}), so it
 * works the same for a freshly trained network ({@code fovea demo}) and a saved one ({@code fovea visualize}).
 */
package dev.fovea.cli.demo;
