/** Layers and models: build, infer shapes, summarize, compile for an engine, predict. */
package dev.fovea.nn;
