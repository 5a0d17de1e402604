package dev.fovea.cli.demo;

import java.util.List;

/** Fashion-MNIST's class names, by label index (Xiao et al. 2017). */
public final class FashionMnist {
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {
    }
}
