"""Plugin loader, cache and config parsing."""
import ast
import json
import marshal
import pickle
import shelve

import joblib
import jsonpickle
import numpy as np
import torch
import yaml


def calculate(expression):
    return eval(expression)  # arbiter-expect: PY-EVAL-001


def run_snippet(code, scope):
    exec(code, scope)  # arbiter-expect: PY-EVAL-001


def run_compiled(source):
    exec(compile(source, "<plugin>", "exec"))  # arbiter-expect: PY-EVAL-001


def load_session(blob):
    return pickle.loads(blob)  # arbiter-expect: PY-DESER-001


def load_cache(path):
    with open(path, "rb") as fh:
        return pickle.load(fh)  # arbiter-expect: PY-DESER-001


def load_code(data):
    return marshal.loads(data)  # arbiter-expect: PY-DESER-001


def open_store(name):
    return shelve.open(name)  # arbiter-expect: PY-DESER-001


def decode_event(payload):
    return jsonpickle.decode(payload)  # arbiter-expect: PY-DESER-001


def load_model(path):
    return joblib.load(path)  # arbiter-expect: PY-DESER-001


def load_weights(path):
    return torch.load(path)  # arbiter-expect: PY-DESER-001


def load_matrix(path):
    return np.load(path, allow_pickle=True)  # arbiter-expect: PY-DESER-001


def parse_config(text):
    return yaml.load(text)  # arbiter-expect: PY-DESER-002


def parse_config_full(text):
    return yaml.load(text, Loader=yaml.Loader)  # arbiter-expect: PY-DESER-002


def parse_unsafe(text):
    return yaml.unsafe_load(text)  # arbiter-expect: PY-DESER-002


# ---------------------------------------------------------------- safe look-alikes

def calculate_safe(expression):
    return ast.literal_eval(expression)


def constant_eval():
    return eval("1 + 2")


def model_eval(model, batch):
    model.eval()
    return model(batch)


def parse_config_safe(text):
    return yaml.safe_load(text)


def parse_config_loader(text):
    return yaml.load(text, Loader=yaml.SafeLoader)


def parse_json(text):
    return json.loads(text)


def save_cache(obj, path):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh)


def load_weights_safe(path):
    return torch.load(path, weights_only=True)


def load_matrix_safe(path):
    return np.load(path)


def docs():
    """Never call pickle.loads() or eval() on request data."""
    return "use yaml.safe_load instead of yaml.load"
