package dev.fovea.data;

/** A data set's files are not where they were looked for; the message says where it looked and how to get them. */
public final class DatasetNotFoundException extends IllegalStateException {
    public DatasetNotFoundException(String message) {
        super(message);
    }
}
