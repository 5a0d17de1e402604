"""Fixtures for Fovea's ONNX format tests, made with PyTorch and the onnx package at test time.

  export DIR   write the test models into DIR (models exported by torch.onnx, external data, typed fields)
  dump MODEL   print each initializer as read by the onnx package: name, data type, dims, sha256 of its values
  shapes MODEL print the shape onnx's shape inference gives every value whose dimensions are all known
  check MODEL  run onnx.checker on MODEL (a file Fovea wrote), then dump it
"""
import hashlib
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def export(out):
    import torch
    import torchvision

    torch.manual_seed(0)

    class Small(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
            self.bn = torch.nn.BatchNorm2d(4)
            self.pool = torch.nn.MaxPool2d(2, ceil_mode=True)
            self.fc = torch.nn.Linear(4 * 5 * 5, 10)

        def forward(self, x):
            x = self.pool(torch.relu(self.bn(self.conv(x))))
            return self.fc(x.view(x.size(0), -1))

    small = Small().eval()
    x = torch.randn(2, 3, 9, 9)
    dynamic = {"input": {0: "batch"}, "output": {0: "batch"}}
    for opset in (11, 13):
        torch.onnx.export(small, x, os.path.join(out, "view%d.onnx" % opset), input_names=["input"],
                          output_names=["output"], dynamic_axes=dynamic, opset_version=opset)
    torch.onnx.export(small, x, os.path.join(out, "small_static.onnx"), input_names=["input"],
                      output_names=["output"], opset_version=13)

    shuffle = torchvision.models.shufflenet_v2_x0_5().eval()  # random weights: nothing is downloaded
    img = torch.randn(2, 3, 64, 64)
    torch.onnx.export(shuffle, img, os.path.join(out, "shufflenet.onnx"), input_names=["input"],
                      output_names=["output"], dynamic_axes=dynamic, opset_version=13)
    torch.onnx.export(shuffle, img, os.path.join(out, "shufflenet_static.onnx"), input_names=["input"],
                      output_names=["output"], opset_version=13)

    # The small model again, its weights as external data in one file.
    os.makedirs(os.path.join(out, "ext"), exist_ok=True)
    model = onnx.load(os.path.join(out, "view13.onnx"))
    onnx.save_model(model, os.path.join(out, "ext", "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)

    # Tensors in the typed fields (float_data, int32_data, ...), as onnx.helper writes them without raw=True.
    tensors = [
        helper.make_tensor("f32", TensorProto.FLOAT, [2, 2], [1.5, -2.0, 0.0, 3.25]),
        helper.make_tensor("f16", TensorProto.FLOAT16, [3], np.array([1.0, -0.5, 65504.0], dtype=np.float16)),
        helper.make_tensor("bf16", TensorProto.BFLOAT16, [2], [1.0, -2.5]),
        helper.make_tensor("f64", TensorProto.DOUBLE, [2], [0.25, -1e10]),
        helper.make_tensor("i64", TensorProto.INT64, [3], [-(2 ** 40), 0, 7]),
        helper.make_tensor("i32", TensorProto.INT32, [2], [-5, 2 ** 31 - 1]),
        helper.make_tensor("i8", TensorProto.INT8, [2], [-128, 127]),
        helper.make_tensor("u8", TensorProto.UINT8, [2], [0, 255]),
        helper.make_tensor("b", TensorProto.BOOL, [3], [True, False, True]),
        helper.make_tensor("u32", TensorProto.UINT32, [1], [4294967295]),
        helper.make_tensor("raw16", TensorProto.FLOAT16, [2],
                           np.array([2.0, -1.0], dtype=np.float16).tobytes(), raw=True),
    ]
    graph = helper.make_graph([], "typed", [], [], initializer=tensors)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, "typed.onnx"))


def values_hash(t):
    a = numpy_helper.to_array(t)
    if t.data_type in (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.DOUBLE):
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
    else:
        b = np.ascontiguousarray(a, dtype="<i8").tobytes()
    return hashlib.sha256(b).hexdigest()


def dump(path):
    model = onnx.load(path)  # reads external data relative to the model's directory
    for t in model.graph.initializer:
        print("%s\t%d\t%s\t%s" % (t.name, t.data_type, ",".join(str(d) for d in t.dims), values_hash(t)))


def shapes(path):
    model = onnx.shape_inference.infer_shapes(onnx.load(path))
    g = model.graph
    for v in list(g.value_info) + list(g.output):
        dims = v.type.tensor_type.shape.dim
        if v.type.tensor_type.HasField("shape") and all(d.HasField("dim_value") for d in dims):
            print("%s\t%s" % (v.name, ",".join(str(d.dim_value) for d in dims)))


def check(path):
    onnx.checker.check_model(path)
    dump(path)


if __name__ == "__main__":
    {"export": export, "dump": dump, "shapes": shapes, "check": check}[sys.argv[1]](sys.argv[2])
