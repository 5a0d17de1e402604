/** The {@code fovea} command line. */
module dev.fovea.cli {
    requires dev.fovea.api;
    requires dev.fovea.models;
    requires info.picocli;

    opens dev.fovea.cli to info.picocli;
}
