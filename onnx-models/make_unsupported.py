#!/usr/bin/python3
"""Write two tiny hand-made ONNX models with the onnx helper API, for Fovea's ONNX import tests.

    make_unsupported.py OUTDIR [--opset 13]

- conv-relu-add.onnx: a smoke test using only Conv, Relu and Add (a residual block).
  input `input` [N,3,8,8] -> Conv 3->4 3x3 pad 1 (+bias) -> Relu = a -> Conv 4->4 3x3 pad 1 (+bias) = b
  -> Add(a, b) -> Relu -> output `output` [N,4,8,8].
- lstm-unsupported.onnx: a model the importer must reject with an "unsupported operator" error naming LSTM.
  input `input` [N,3,8,8] -> Conv 3->4 3x3 pad 1 -> Relu -> GlobalAveragePool -> Reshape [1,N,4]
  -> LSTM (hidden size 5, one direction) -> output `output` [1,1,N,5]. The LSTM comes after ops that are
  supported, so the error must come from that node, not from the first one.

Weights are float32 from numpy's seeded RandomState: the output is the same on every run.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def tensor(name, array):
    return numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name)


def conv_weight(rng, out_c, in_c, k):
    return rng.standard_normal((out_c, in_c, k, k)) / np.sqrt(in_c * k * k)


def conv_relu_add(opset):
    rng = np.random.RandomState(1234)
    inits = [
        tensor("conv1.weight", conv_weight(rng, 4, 3, 3)), tensor("conv1.bias", 0.1 * rng.standard_normal(4)),
        tensor("conv2.weight", conv_weight(rng, 4, 4, 3)), tensor("conv2.bias", 0.1 * rng.standard_normal(4)),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv1"], ["a"], name="relu1"),
        helper.make_node("Conv", ["a", "conv2.weight", "conv2.bias"], ["b"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["a", "b"], ["sum"], name="add"),
        helper.make_node("Relu", ["sum"], ["output"], name="relu2"),
    ]
    graph = helper.make_graph(
        nodes, "conv_relu_add",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4, 8, 8])],
        initializer=inits)
    return finish(graph, opset, "Conv+Relu+Add smoke-test model for Fovea's ONNX import")


def lstm_unsupported(opset):
    rng = np.random.RandomState(5678)
    hidden, features = 5, 4
    inits = [
        tensor("conv.weight", conv_weight(rng, features, 3, 3)),
        tensor("conv.bias", 0.1 * rng.standard_normal(features)),
        numpy_helper.from_array(np.array([1, -1, features], dtype=np.int64), "seq_shape"),
        # ONNX LSTM: W [dirs, 4*hidden, input], R [dirs, 4*hidden, hidden], B [dirs, 8*hidden]
        tensor("lstm.W", 0.5 * rng.standard_normal((1, 4 * hidden, features))),
        tensor("lstm.R", 0.5 * rng.standard_normal((1, 4 * hidden, hidden))),
        tensor("lstm.B", 0.1 * rng.standard_normal((1, 8 * hidden))),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
        helper.make_node("GlobalAveragePool", ["relu"], ["pooled"], name="pool"),
        helper.make_node("Reshape", ["pooled", "seq_shape"], ["seq"], name="to_sequence"),
        helper.make_node("LSTM", ["seq", "lstm.W", "lstm.R", "lstm.B"], ["output"], name="lstm",
                         hidden_size=hidden),
    ]
    graph = helper.make_graph(
        nodes, "lstm_unsupported",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "N", hidden])],
        initializer=inits)
    return finish(graph, opset, "model with an LSTM node, for Fovea's unsupported-operator error test")


def finish(graph, opset, doc):
    model = helper.make_model(graph, producer_name="fovea make_unsupported.py",
                              opset_imports=[helper.make_opsetid("", opset)], doc_string=doc)
    onnx.checker.check_model(model, full_check=True)
    return model


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--opset", type=int, default=13)
    args = parser.parse_args(argv)
    os.makedirs(args.outdir, exist_ok=True)
    for name, build in (("conv-relu-add.onnx", conv_relu_add), ("lstm-unsupported.onnx", lstm_unsupported)):
        path = os.path.join(args.outdir, name)
        data = build(args.opset).SerializeToString()
        with open(path, "wb") as f:
            f.write(data)
        print(f"{name:24s} {len(data):6d} bytes  opset {args.opset}")


if __name__ == "__main__":
    main(sys.argv[1:])
