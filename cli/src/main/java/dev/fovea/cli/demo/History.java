package dev.fovea.cli.demo;

import java.util.List;

/**
 * What training measured, one entry per epoch: train loss and accuracy, and, when evaluated each epoch, test
 * loss and accuracy (empty lists when not measured; test loss alone may be empty).
 */
public record History(List<Double> trainLoss, List<Double> trainAccuracy, List<Double> testLoss,
                      List<Double> testAccuracy) {
    public History {
        trainLoss = List.copyOf(trainLoss);
        trainAccuracy = List.copyOf(trainAccuracy);
        testLoss = List.copyOf(testLoss);
        testAccuracy = List.copyOf(testAccuracy);
        int n = trainLoss.size();
        if (n == 0 || trainAccuracy.size() != n || !(testLoss.isEmpty() || testLoss.size() == n)
                || !(testAccuracy.isEmpty() || testAccuracy.size() == n)) {
            throw new IllegalArgumentException("history needs one value per epoch (at least one epoch) in each "
                    + "non-empty list; got train loss " + n + ", train accuracy " + trainAccuracy.size()
                    + ", test loss " + testLoss.size() + ", test accuracy " + testAccuracy.size());
        }
    }

    public int epochs() {
        return trainLoss.size();
    }
}
