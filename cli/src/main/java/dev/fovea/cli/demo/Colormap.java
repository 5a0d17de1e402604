package dev.fovea.cli.demo;

/**
 * Maps a value in [0, 1] to a packed RGB colour by linear interpolation between anchor colours.
 * {@link #VIRIDIS} for magnitudes (feature maps), {@link #DIVERGING} for signed values (filters: 0.5 is zero),
 * {@link #GRAY} for images.
 */
public final class Colormap {
    /** Perceptually uniform dark-violet → blue → green → yellow (matplotlib's viridis, 9 anchors). */
    public static final Colormap VIRIDIS = new Colormap("viridis", 0x440154, 0x472d7b, 0x3b528b, 0x2c728e,
            0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725);
    /** Blue (negative) → near-white (zero) → red (positive), as ColorBrewer's RdBu reversed. */
    public static final Colormap DIVERGING = new Colormap("blue-white-red", 0x2166ac, 0x67a9cf, 0xd1e5f0,
            0xf7f7f7, 0xfddbc7, 0xef8a62, 0xb2182b);
    /** White → dark blue (ColorBrewer's Blues), for counts and shares. */
    public static final Colormap BLUES = new Colormap("blues", 0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
            0x4292c6, 0x2171b5, 0x08519c, 0x08306b);
    /** Black → white. */
    public static final Colormap GRAY = new Colormap("gray", 0x000000, 0xffffff);

    private final String name;
    private final int[] anchors;

    private Colormap(String name, int... anchors) {
        this.name = name;
        this.anchors = anchors;
    }

    public String name() {
        return name;
    }

    /** The colour of {@code t}, clamped to [0, 1]; NaN maps to 0. */
    public int rgb(double t) {
        if (!(t > 0)) {
            return anchors[0];
        }
        if (t >= 1) {
            return anchors[anchors.length - 1];
        }
        double pos = t * (anchors.length - 1);
        int i = (int) pos;
        double f = pos - i;
        int a = anchors[i];
        int b = anchors[i + 1];
        return mix(a >> 16 & 0xff, b >> 16 & 0xff, f) << 16 | mix(a >> 8 & 0xff, b >> 8 & 0xff, f) << 8
                | mix(a & 0xff, b & 0xff, f);
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
