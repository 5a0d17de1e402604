/**
 * Training: losses ({@link dev.fovea.train.Loss}), optimizers ({@link dev.fovea.train.Optimizer}: SGD with
 * momentum and Nesterov, Adam, weight decay), learning-rate schedules ({@link dev.fovea.train.Schedule}) and the
 * {@code fit} loop ({@link dev.fovea.train.Trainer}) with per-batch and per-epoch callbacks and evaluation.
 * Gradients come from {@link dev.fovea.nn.Trainable}; the backend must have {@code Capability.TRAINING}.
 */
package dev.fovea.train;
