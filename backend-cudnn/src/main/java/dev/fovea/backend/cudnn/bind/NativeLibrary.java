package dev.fovea.backend.cudnn.bind;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;

/**
 * Where the symbols of one native library come from. jextract bakes a {@code SymbolLookup} into each header
 * class; here the loader ({@code dev.fovea.backend.cudnn.CudnnLibraries}) installs it once the files were
 * checked and opened, because opening an incomplete cuDNN directory aborts the JVM.
 */
final class NativeLibrary {
    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    private final String name;
    private volatile SymbolLookup lookup;

    NativeLibrary(String name) {
        this.name = name;
    }

    void install(SymbolLookup l) {
        lookup = l;
    }

    boolean installed() {
        return lookup != null;
    }

    /** The symbol's address, if the library is loaded and has it. */
    java.util.Optional<MemorySegment> find(String symbol) {
        SymbolLookup l = lookup;
        return l == null ? java.util.Optional.empty() : l.find(symbol);
    }

    /** The symbol's address; throws if the library is not loaded or lacks the symbol (first call only). */
    MemorySegment findOrThrow(String symbol) {
        SymbolLookup l = lookup;
        if (l == null) {
            throw new IllegalStateException(name + " is not loaded: " + symbol + " was called before the library"
                    + " was opened");
        }
        return l.find(symbol).orElseThrow(() -> new UnsatisfiedLinkError(name + " has no symbol " + symbol));
    }

    /** A NUL-terminated C string returned by the library, or "" for NULL. */
    @SuppressWarnings("restricted") // FFM native access; the JVM runs with --enable-native-access
    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
