/**
 * Layers and models: build a chain ({@link dev.fovea.nn.Sequential}) or a graph ({@link dev.fovea.nn.Graph},
 * layers applied to {@link dev.fovea.nn.Value}s), infer shapes, summarize, compile for an engine (rewrite rules
 * fuse layers), predict.
 */
package dev.fovea.nn;
