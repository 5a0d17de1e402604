#!/usr/bin/python3
"""Export torchvision CNNs with seeded random weights to ONNX, as test models for Fovea's ONNX import.

    export_torchvision.py OUTDIR [--models a,b] [--opsets 13,17] [--fold-bn]

Each model is built with weights=None from a seed derived from its name, gets random BatchNorm statistics
and affine parameters, and is then calibrated so that activations stay near unit scale however deep the
network is (see calibrate()). It is exported in eval mode with input `input` [N,3,224,224] ([N,3,299,299]
for inception_v3), output `logits` [N,1000], a dynamic batch axis and constant folding, once per opset, to
OUTDIR/<model>-op<opset>.onnx.

BatchNormalization nodes are kept in the graph by default (the exporter's eval-mode peephole would fold every
Conv+BatchNorm pair into the Conv itself, and the importer's folding would go untested); --fold-bn lets the
exporter fold them and writes <model>-op<opset>-folded.onnx instead.

Next to each model a stamp <file>.json records what determined its content (this script's SHA-256, model,
seed, opset, torch/torchvision/onnx versions) and the file's size and SHA-256. A file whose stamp matches
is skipped, not rewritten, so a CI cache of OUTDIR stays valid until this script or the toolchain changes.

The output is deterministic: the weights come from torch's CPU generator, and the calibration is computed in
float64 and only derives powers of two and means rounded to 2^-10 from the data (the weights came out
identical with 1 and 2 threads; a float32 calibration did not). The exported bytes depend only on the weights
and the exporter (re-exports were byte-identical). Requires Debian's python3-torch (1.13), python3-torchvision (0.14) and python3-onnx (1.12).
"""

import argparse
import hashlib
import io
import json
import math
import os
import sys
import time
import warnings
import zlib

import onnx
import torch
import torchvision

MODELS = {
    # name: (constructor keyword arguments, input size)
    "resnet18": ({}, 224),
    "resnet50": ({}, 224),
    "googlenet": ({"aux_logits": False, "transform_input": False, "init_weights": True}, 224),
    "inception_v3": ({"aux_logits": False, "transform_input": False, "init_weights": True}, 299),
    "mobilenet_v2": ({}, 224),
    "mobilenet_v3_small": ({}, 224),
    "squeezenet1_1": ({}, 224),
    "densenet121": ({}, 224),
    "alexnet": ({}, 224),
    "vgg11": ({}, 224),
    "efficientnet_b0": ({}, 224),
    "shufflenet_v2_x1_0": ({}, 224),
}
DEFAULT_OPSETS = (13, 17)
CALIBRATION_BATCH = 1  # float64 convolutions are slow (reference BLAS): one image takes 17 s for vgg11
MEAN_QUANTUM_INV = 1024.0
BIAS_STD = 0.1  # Conv/Linear biases, in units of the calibrated output's RMS
BN_MEAN_STD = 0.1  # running_mean ~ N(0, 0.1^2), plus the mean of the layer's input (see calibrate())
BN_VAR_RANGE = (0.5, 2.0)  # running_var ~ U(0.5, 2)
BN_WEIGHT_RANGE = (0.5, 1.5)  # |weight| ~ U(0.5, 1.5) ...
BN_NEGATIVE_WEIGHT_P = 0.1  # ... negated with probability 0.1
BN_BIAS_STD = 0.2  # bias ~ N(0, 0.2^2)


def seed_of(name):
    """A stable per-model seed: the same whichever models are selected, on any machine."""
    return zlib.crc32(("fovea-onnx:" + name).encode("ascii")) & 0x7FFFFFFF


def randomize_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * BN_MEAN_STD)
                lo, hi = BN_VAR_RANGE
                m.running_var.copy_(lo + (hi - lo) * torch.rand(c, generator=gen))
                if m.affine:
                    lo, hi = BN_WEIGHT_RANGE
                    w = lo + (hi - lo) * torch.rand(c, generator=gen)
                    sign = torch.where(torch.rand(c, generator=gen) < BN_NEGATIVE_WEIGHT_P, -1.0, 1.0)
                    m.weight.copy_(w * sign)
                    m.bias.copy_(torch.randn(c, generator=gen) * BN_BIAS_STD)


def quantize(t):
    """Rounds to a multiple of 2^-10, so that a measured mean that differs between machines in its last float64
    bits gives the same float32 parameter."""
    return torch.round(t * MEAN_QUANTUM_INV) / MEAN_QUANTUM_INV


def calibrate(model, size, gen):
    """One forward pass, in float64, on a seeded N(0, 1) image, adjusting every layer to what it really sees
    before the layers after it see its output:

    - each Conv2d and Linear, in the order they run, has its weight divided by the power of two nearest to the
      RMS of its output (exact in float32), so activations stay near unit scale however deep the network is;
      its bias (where it has one) is redrawn ~ N(0, BIAS_STD^2), and for a Conv2d with a spatial output
      (not a squeeze-excitation or classifier layer) also offset by minus its output's per-channel mean;
    - each BatchNorm2d gets the per-channel mean of its input added to its random running_mean, as a trained
      network's statistics would track its data.

    Without the centring the logits of a random network hardly depend on its input (the spread of the logits
    between images is 0.5-3 % of their spread between classes); with it, 13-56 %.
    Only powers of two and means rounded to multiples of 2^-10 are derived from the data, so rounding
    differences between machines or thread counts cannot change the float32 weights (short of a float64
    measurement landing within about 1e-13 of a rounding boundary). In float32 they would: a float32
    forward pass gave different weights with 1 and 2 threads for 7 of the 12 models."""
    model.double()
    handles = []

    def layer_hook(module, inputs, output):
        with torch.no_grad():
            y = output
            shape = (1, -1) + (1,) * (y.dim() - 2)
            if module.bias is not None:
                y = y - module.bias.view(shape)
            centre = (module.bias is not None and isinstance(module, torch.nn.Conv2d)
                      and y.shape[2] * y.shape[3] >= 4)
            mean = y.mean(dim=[0] + list(range(2, y.dim()))) if centre else None
            rms = float((y if mean is None else y - mean.view(shape)).pow(2).mean().sqrt())
            if not math.isfinite(rms) or rms == 0.0:
                raise RuntimeError(f"calibration: {module} has output RMS {rms}")
            scale = 2.0 ** round(math.log2(rms))
            module.weight.div_(scale)
            y = y / scale
            if module.bias is not None:
                bias = (torch.randn(module.bias.shape, generator=gen) * BIAS_STD).double()
                if mean is not None:
                    bias = bias - quantize(mean / scale)
                module.bias.copy_(bias)
                y = y + module.bias.view(shape)
            return y

    def batchnorm_hook(module, inputs):
        with torch.no_grad():
            x = inputs[0]
            module.running_mean.add_(quantize(x.mean(dim=[0] + list(range(2, x.dim())))))

    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            handles.append(m.register_forward_hook(layer_hook))
        elif isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            handles.append(m.register_forward_pre_hook(batchnorm_hook))
    try:
        x = torch.randn(CALIBRATION_BATCH, 3, size, size, generator=gen).double()
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    model.float()


def check_logits(name, model, size, gen):
    """Runs the float32 model on a fresh N(0, 1) batch of 4 and fails unless the logits are finite, of a
    sensible magnitude, differ between classes and depend on the image. Returns (max |logit|, spread of the
    logits between images over their spread between classes)."""
    x = torch.randn(4, 3, size, size, generator=gen)
    with torch.no_grad():
        y = model(x)
    if tuple(y.shape) != (4, 1000):
        raise RuntimeError(f"{name}: logits have shape {tuple(y.shape)}")
    if not torch.isfinite(y).all():
        raise RuntimeError(f"{name}: logits are not finite")
    max_abs = float(y.abs().max())
    between_classes = float(y.std(dim=1).mean())
    between_images = float(y.std(dim=0).mean())
    ratio = between_images / between_classes if between_classes > 0 else 0.0
    if not (1e-2 < max_abs < 1e2) or ratio < 0.05:
        raise RuntimeError(f"{name}: degenerate logits: max|y| {max_abs:g}, spread between images "
                           f"{between_images:g}, between classes {between_classes:g}")
    return max_abs, ratio


def build_model(name):
    """The seeded, randomised, calibrated float32 eval-mode model and its input size."""
    kwargs, size = MODELS[name]
    seed = seed_of(name)
    torch.manual_seed(seed)  # torchvision's own initialisation draws from the global generator
    model = getattr(torchvision.models, name)(weights=None, **kwargs)
    model.eval()
    gen = torch.Generator().manual_seed(seed + 1)
    randomize_batchnorm(model, gen)
    calibrate(model, size, gen)
    return model, size


def script_sha256():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def file_name(name, opset, fold_bn):
    return f"{name}-op{opset}{'-folded' if fold_bn else ''}.onnx"


def content_key(name, opset, fold_bn):
    _, size = MODELS[name]
    return {
        "script_sha256": script_sha256(),
        "model": name,
        "seed": seed_of(name),
        "opset": opset,
        "fold_bn": fold_bn,
        "input": ["N", 3, size, size],
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "onnx": onnx.__version__,
    }


def up_to_date(path, key):
    stamp = path + ".json"
    if not (os.path.isfile(path) and os.path.isfile(stamp)):
        return False
    try:
        with open(stamp) as f:
            recorded = json.load(f)
    except (OSError, ValueError):
        return False
    return (recorded.get("key") == key and recorded.get("bytes") == os.path.getsize(path)
            and recorded.get("sha256") == file_sha256(path))


def export(model, name, size, opset, fold_bn, key, path):
    f = io.BytesIO()
    with warnings.catch_warnings():
        # PRESERVE on an eval-mode model exports inference BatchNormalization; the warning about constant
        # folding in "training-amenable mode" concerns models in training mode only.
        warnings.filterwarnings("ignore", message="It is recommended that constant folding be turned off")
        torch.onnx.export(
            model, torch.zeros(1, 3, size, size), f,
            export_params=True, opset_version=opset, do_constant_folding=True,
            training=torch.onnx.TrainingMode.EVAL if fold_bn else torch.onnx.TrainingMode.PRESERVE,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    proto = onnx.load_from_string(f.getvalue())
    proto.doc_string = (f"torchvision {name} with seeded random weights (seed {seed_of(name)}) and random "
                        f"BatchNorm statistics, for testing Fovea's ONNX import; not a trained model.")
    for k in ("model", "seed", "opset", "fold_bn", "script_sha256"):
        entry = proto.metadata_props.add()
        entry.key, entry.value = "fovea." + k, str(key[k])
    entry = proto.metadata_props.add()
    entry.key, entry.value = "fovea.calibrated_for", "input ~ N(0, 1)"
    onnx.checker.check_model(proto)
    data = proto.SerializeToString()
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
    stamp = {"key": key, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    with open(path + ".json.tmp", "w") as out:
        json.dump(stamp, out, indent=1, sort_keys=True)
        out.write("\n")
    os.replace(path + ".json.tmp", path + ".json")
    return len(data)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated, from: " + ", ".join(MODELS))
    parser.add_argument("--opsets", default=",".join(map(str, DEFAULT_OPSETS)))
    parser.add_argument("--fold-bn", action="store_true",
                        help="let the exporter fold BatchNorm into Conv (files named *-folded.onnx)")
    args = parser.parse_args(argv)
    names = [m for m in args.models.split(",") if m]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        parser.error("unknown model(s): " + ", ".join(unknown) + "; known: " + ", ".join(MODELS))
    opsets = [int(o) for o in args.opsets.split(",") if o]
    os.makedirs(args.outdir, exist_ok=True)

    start = time.monotonic()
    total_bytes = written = skipped = 0
    for name in names:
        model = None
        for opset in opsets:
            path = os.path.join(args.outdir, file_name(name, opset, args.fold_bn))
            key = content_key(name, opset, args.fold_bn)
            t0 = time.monotonic()
            if up_to_date(path, key):
                size_bytes = os.path.getsize(path)
                status, skipped = "up to date, skipped", skipped + 1
            else:
                if model is None:
                    model, size = build_model(name)
                    max_abs, ratio = check_logits(name, model, size, torch.Generator().manual_seed(1))
                    detail = f"max|logit| {max_abs:.3g}, between images/classes {ratio:.2f}"
                size_bytes = export(model, name, size, opset, args.fold_bn, key, path)
                status, written = "written; " + detail, written + 1
            total_bytes += size_bytes
            print(f"{os.path.basename(path):34s} {size_bytes / 1e6:9.1f} MB {time.monotonic() - t0:7.1f} s  "
                  f"{status}", flush=True)
    print(f"{written} written, {skipped} skipped, {total_bytes / 1e6:.1f} MB in all, "
          f"{time.monotonic() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
