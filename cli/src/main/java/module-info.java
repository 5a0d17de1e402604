/** The {@code fovea} command line. */
module dev.fovea.cli {
    requires dev.fovea.api;
    requires dev.fovea.models;
    requires dev.fovea.onnx;
    requires dev.fovea.conformance;
    requires dev.fovea.bench;
    requires dev.fovea.spark;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires java.desktop;
    requires java.management; // fovea soak: heap, direct memory and thread counts
    requires xchart;

    opens dev.fovea.cli to info.picocli;
}
