/**
 * Data sets for training: the IDX file format ({@link dev.fovea.data.Idx}, plain or gzip), image data sets
 * with labels ({@link dev.fovea.data.Dataset}: batching, normalization), and MNIST / Fashion-MNIST loading
 * ({@link dev.fovea.data.Datasets}) from a directory, {@code FOVEA_DATA}, the Debian package's location, or the
 * small sample bundled for tests and demos.
 */
package dev.fovea.data;
