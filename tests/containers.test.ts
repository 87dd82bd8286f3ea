// nn.ModuleList, nn.ModuleDict, Sequential.at and a bare nn.Parameter on a custom module, against
// PyTorch 1.13's state_dict keys and reprs (recorded by hand from the oracle: the Python that made
// each list is quoted beside it).
import { describe, expect, test } from "vitest";
import { init, nn, tensor, ones, zeros, randn, memory, tidy, Tensor } from "../src/index.js";
import { thrownMessage } from "./helpers.js";

await init();

class Block extends nn.Module {
  dw: nn.Conv2d;
  norm: nn.BatchNorm2d;
  layer_scale: nn.Parameter;
  constructor(c: number) {
    super();
    this.dw = new nn.Conv2d(c, c, 3, { padding: 1, groups: c });
    this.norm = new nn.BatchNorm2d(c);
    // convnext's layer_scale: a bare Parameter assigned after the children
    this.layer_scale = new nn.Parameter(tensor(new Float32Array(c).fill(1e-6), [c, 1, 1]));
  }
}

class Net extends nn.Module {
  stages = new nn.ModuleList([new nn.Sequential(new Block(4), new Block(4)), new nn.Linear(4, 2)]);
  heads = new nn.ModuleDict([["cls", new nn.Linear(4, 3)], ["box", new nn.Linear(4, 4)]]);
  scale = new nn.Parameter(zeros(2));
}

// class Block(nn.Module): dw = Conv2d(c, c, 3, padding=1, groups=c); norm = BatchNorm2d(c);
//   layer_scale = nn.Parameter(torch.ones(c, 1, 1) * 1e-6)
// class Net(nn.Module): stages = ModuleList([Sequential(Block(4), Block(4)), Linear(4, 2)]);
//   heads = ModuleDict({"cls": Linear(4, 3), "box": Linear(4, 4)}); scale = Parameter(zeros(2))
// list(Net().state_dict().keys()):
const NET_STATE_KEYS = ["scale", "stages.0.0.layer_scale", "stages.0.0.dw.weight", "stages.0.0.dw.bias", "stages.0.0.norm.weight",
  "stages.0.0.norm.bias", "stages.0.0.norm.running_mean", "stages.0.0.norm.running_var", "stages.0.0.norm.num_batches_tracked",
  "stages.0.1.layer_scale", "stages.0.1.dw.weight", "stages.0.1.dw.bias", "stages.0.1.norm.weight", "stages.0.1.norm.bias",
  "stages.0.1.norm.running_mean", "stages.0.1.norm.running_var", "stages.0.1.norm.num_batches_tracked", "stages.1.weight",
  "stages.1.bias", "heads.cls.weight", "heads.cls.bias", "heads.box.weight", "heads.box.bias"];
// [k for k, _ in Net().named_parameters()]:
const NET_PARAMETER_NAMES = ["scale", "stages.0.0.layer_scale", "stages.0.0.dw.weight", "stages.0.0.dw.bias", "stages.0.0.norm.weight",
  "stages.0.0.norm.bias", "stages.0.1.layer_scale", "stages.0.1.dw.weight", "stages.0.1.dw.bias", "stages.0.1.norm.weight",
  "stages.0.1.norm.bias", "stages.1.weight", "stages.1.bias", "heads.cls.weight", "heads.cls.bias", "heads.box.weight", "heads.box.bias"];
// print(Net())
const NET_REPR = `Net(
  (stages): ModuleList(
    (0): Sequential(
      (0): Block(
        (dw): Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=4)
        (norm): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
      )
      (1): Block(
        (dw): Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), groups=4)
        (norm): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
      )
    )
    (1): Linear(in_features=4, out_features=2, bias=True)
  )
  (heads): ModuleDict(
    (cls): Linear(in_features=4, out_features=3, bias=True)
    (box): Linear(in_features=4, out_features=4, bias=True)
  )
)`;

describe("a model built from ModuleList, ModuleDict and bare Parameters", () => {
  test("state_dict keys, named_parameters and repr are PyTorch's", () => {
    const net = new Net();
    expect(Object.keys(net.state_dict())).toEqual(NET_STATE_KEYS);
    expect(net.named_parameters().map(([name]) => name)).toEqual(NET_PARAMETER_NAMES);
    expect(String(net)).toBe(NET_REPR);
    net.dispose();
  });

  test("load_state_dict fills the bare Parameters (layer_scale) and the containers' children", () => {
    const source = new Net();
    const target = new Net();
    const state: Record<string, Tensor> = {};
    for (const [key, t] of Object.entries(source.state_dict())) {
      state[key] = t.dtype === "float32" ? randn(t.shape) : t;
    }
    expect(target.load_state_dict(state)).toEqual({ missing_keys: [], unexpected_keys: [] });
    const loaded = target.state_dict();
    for (const key of NET_STATE_KEYS) expect(loaded[key].tolist(), key).toEqual(state[key].tolist());
    const block = (target.stages[0] as nn.Sequential).at(-1) as Block;
    expect(block.layer_scale.tolist()).toEqual(state["stages.0.1.layer_scale"].tolist());
    // a missing layer_scale is reported as PyTorch does
    delete state["stages.0.0.layer_scale"];
    expect(thrownMessage(() => new Net().load_state_dict(state))).toMatch(/^Error\(s\) in loading state_dict for Net:\n\tMissing key\(s\) in state_dict: "stages\.0\.0\.layer_scale"\./);
    for (const m of [source, target]) m.dispose();
  });
});

describe("nn.ModuleList", () => {
  const make = () => new nn.ModuleList<nn.Module>([new nn.Linear(2, 3), new nn.Linear(3, 3), new nn.ReLU()]);

  test("indexes like a Python list: list[0], at(-1), length, for...of", () => {
    const list = make();
    expect(list.length).toBe(3);
    expect(list[0]).toBeInstanceOf(nn.Linear);
    expect(list.at(-1)).toBeInstanceOf(nn.ReLU);
    expect(list.at(-3)).toBe(list[0]);
    expect([...list]).toEqual([list[0], list[1], list[2]]);
    // ml[3], ml[-4] -> IndexError: index 3 is out of range
    expect(thrownMessage(() => list.at(3))).toBe("index 3 is out of range");
    expect(thrownMessage(() => list.at(-4))).toBe("index -4 is out of range");
    // list(ModuleList([Linear(2,3), Linear(3,3), ReLU()]).state_dict().keys())
    expect(Object.keys(list.state_dict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect(String(list)).toBe("ModuleList(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): Linear(in_features=3, out_features=3, bias=True)\n  (2): ReLU()\n)");
    expect(String(new nn.ModuleList())).toBe("ModuleList()");
    list.dispose();
  });

  test("append, extend, insert and pop keep the keys 0..n-1 in order", () => {
    const list = make();
    const tanh = new nn.Identity();
    list.append(new nn.ReLU6()).extend([new nn.Identity()]);
    expect(list.length).toBe(5);
    list.insert(1, tanh);
    expect(list[1]).toBe(tanh);
    expect(list[2]).toBeInstanceOf(nn.Linear);
    list.insert(-1, new nn.ReLU());                 // before the last, as list.insert
    expect(list.at(-2)).toBeInstanceOf(nn.ReLU);
    list.insert(100, new nn.ReLU6());               // clamped to the end
    expect(list.at(-1)).toBeInstanceOf(nn.ReLU6);
    expect(list.named_children().map(([k]) => k)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    const popped = list.pop(1);
    expect(popped).toBe(tanh);
    expect(list.named_children().map(([k]) => k)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(Object.keys(list.state_dict())).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    expect(list.pop()).toBeInstanceOf(nn.ReLU6);
    expect(list.length).toBe(6);
    expect(list.slice(0, 2).length).toBe(2);
    expect(list.slice(0, 2)[1]).toBe(list[1]);
    // ModuleList().append(3) -> TypeError: int is not a Module subclass
    expect(thrownMessage(() => list.append(3 as never))).toBe("int is not a Module subclass");
    expect(thrownMessage(() => new nn.ModuleList([3 as never]))).toBe("int is not a Module subclass");
    expect(list.length).toBe(6);
    list.dispose();
  });

  test("has no forward, as PyTorch's", () => {
    expect(thrownMessage(() => new nn.ModuleList().forward(zeros(1)))).toBe('Module [ModuleList] is missing the required "forward" function');
  });

  test("a loop over its layers runs them (the model's own forward)", () => {
    const layers = new nn.ModuleList([new nn.Linear(4, 4), new nn.ReLU(), new nn.Linear(4, 2)]);
    let x = randn(3, 4);
    const seq = new nn.Sequential(...layers);
    const expected = seq.forward(x).tolist();
    for (const layer of layers) x = layer.forward(x);
    expect(x.tolist()).toEqual(expected);
    layers.dispose();
  });
});

describe("nn.ModuleDict", () => {
  test("keys in insertion order, also integer-like ones (given as pairs or a Map)", () => {
    const dict = new nn.ModuleDict([["b", new nn.ReLU()], ["1", new nn.Identity()], ["a", new nn.Linear(1, 1)]]);
    // ModuleDict({'b': ReLU(), '1': Tanh(), 'a': Linear(1, 1)}): keys ['b', '1', 'a'], state ['a.weight', 'a.bias']
    expect(dict.keys()).toEqual(["b", "1", "a"]);
    expect(dict.values().map((m) => m.constructor.name)).toEqual(["ReLU", "Identity", "Linear"]);
    expect(dict.items().map(([k]) => k)).toEqual(["b", "1", "a"]);
    expect([...dict]).toEqual(["b", "1", "a"]);
    expect(dict.length).toBe(3);
    expect(Object.keys(dict.state_dict())).toEqual(["a.weight", "a.bias"]);
    expect(String(dict)).toBe("ModuleDict(\n  (b): ReLU()\n  (1): Identity()\n  (a): Linear(in_features=1, out_features=1, bias=True)\n)");
    expect(dict["a"]).toBeInstanceOf(nn.Linear);
    const fromMap = new nn.ModuleDict(new Map<string, nn.Module>([["z", new nn.ReLU()], ["0", new nn.ReLU6()]]));
    expect(fromMap.keys()).toEqual(["z", "0"]);
  });

  test("update replaces in place and appends; pop removes; clear empties", () => {
    const dict = new nn.ModuleDict({ b: new nn.ReLU(), a: new nn.Linear(1, 1) });
    // md.pop('b'); md.update([('c', ReLU())]); md.update({'a': ReLU()}) -> keys ['a', 'c'] ('a' replaced in place)
    expect(dict.pop("b")).toBeInstanceOf(nn.ReLU);
    dict.update([["c", new nn.ReLU()]]);
    const relu = new nn.ReLU6();
    dict.update({ a: relu });
    expect(dict.keys()).toEqual(["a", "c"]);
    expect(dict["a"]).toBe(relu);
    expect(Object.keys(dict.state_dict())).toEqual([]);
    expect(thrownMessage(() => dict.pop("zz"))).toBe("'zz'");
    dict.clear();
    expect(dict.length).toBe(0);
    expect(String(dict)).toBe("ModuleDict()");
  });

  test("refuses PyTorch's bad keys with its messages", () => {
    // KeyError: "attribute 'keys' already exists", 'module name can\'t contain ".", got: a.b', ...
    expect(thrownMessage(() => new nn.ModuleDict({ keys: new nn.ReLU() }))).toBe("attribute 'keys' already exists");
    expect(thrownMessage(() => new nn.ModuleDict({ training: new nn.ReLU() }))).toBe("attribute 'training' already exists");
    expect(thrownMessage(() => new nn.ModuleDict({ "a.b": new nn.ReLU() }))).toBe('module name can\'t contain ".", got: a.b');
    expect(thrownMessage(() => new nn.ModuleDict({ "": new nn.ReLU() }))).toBe('module name can\'t be empty string ""');
    expect(thrownMessage(() => new nn.ModuleDict({ a: 3 as never }))).toBe("int is not a Module subclass");
    expect(thrownMessage(() => new nn.ModuleDict().forward(zeros(1)))).toBe('Module [ModuleDict] is missing the required "forward" function');
  });
});

describe("nn.Sequential additions", () => {
  test("at(-1) and extend", () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    expect(seq.at(-1)).toBeInstanceOf(nn.ReLU);
    expect(seq.at(0)).toBe(seq[0]);
    expect(thrownMessage(() => seq.at(2))).toBe("index 2 is out of range");
    seq.extend([new nn.Linear(2, 1)]);
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBeInstanceOf(nn.Linear);
    expect(Object.keys(seq.state_dict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    seq.dispose();
  });

  test("forward runs the children as they are now: replaced, appended, removed or reordered after a forward", () => {
    // (forward keeps its list of steps between calls: each change must show in the next call)
    const x = tensor([-1, 2], [1, 2]);
    const run = (seq: nn.Sequential) => tidy(() => Array.from(seq.forward(x).data<Float32Array>()));
    const double = () => {
      const l = new nn.Linear(2, 2, { bias: false });
      l.load_state_dict({ weight: tensor([2, 0, 0, 2], [2, 2]) });
      return l;
    };
    const seq = new nn.Sequential(double(), new nn.ReLU());
    expect(run(seq)).toEqual([0, 4]);
    seq[1] = new nn.Identity();                 // replaced
    expect(run(seq)).toEqual([-2, 4]);
    seq.append(new nn.ReLU());                  // appended
    expect(run(seq)).toEqual([0, 4]);
    seq[2] = double();                          // replaced again, now the last step
    expect(run(seq)).toEqual([-4, 8]);
    delete seq[1];                              // removed
    expect(run(seq)).toEqual([-4, 8]);
    const first = seq[0];
    delete seq[0];                              // reordered: "0" now comes after "2"
    seq[0] = new nn.ReLU();
    expect(run(seq)).toEqual([0, 4]);           // double, then relu
    (first as nn.Module).dispose();
    seq.dispose();
    x.dispose();
  });
});

test("containers leak nothing over repeated builds and forwards", () => {
  const round = () => {
    // built in a scope: new nn.Parameter(zeros(2)) leaves zeros' own handle to it (as any tensor made outside a forward)
    const net = tidy(() => new Net());
    const x = ones(1, 4);
    (net.stages[1] as nn.Linear).forward(x).dispose();
    x.dispose();
    net.dispose();
  };
  round();
  const before = memory();
  for (let i = 0; i < 20; i++) round();
  expect(memory().liveBytes).toBe(before.liveBytes);
  expect(memory().liveTensors).toBe(before.liveTensors);
});
