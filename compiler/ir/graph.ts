// An SSA graph under construction. Nodes are appended in topological order, so ids are a
// valid schedule by construction; every value carries its shape and dtype.
import * as E from 'fp-ts/Either';
import type { OpAttrs, OpTag } from '../ops/tags';
import type { Builder } from './builder';
import type { Node, Val } from './val';

export type { Node } from './val';
import { OPS } from '../ops/registry';
import {
  CompilerBug,
  compileError,
  showError,
  type CompileError,
  type DType,
  type FloatDType,
  type Shape,
  type TensorType,
} from './types';

export type InputRole = 'data' | 'param' | 'state' | 'noise';



export interface GraphInput {
  readonly name: string;
  readonly role: InputRole;
  readonly id: number;
}

export class Graph implements Builder {
  readonly nodes: Node[] = [];
  readonly inputs: GraphInput[] = [];
  private readonly inputByName = new Map<string, GraphInput>();
  /** The path `must` gives the nodes it is not told one for (see `within`). */
  private implicitPath = 'compiler';

  /** `dtype` is the float type of every parameter, input and constant in this graph. */
  constructor(readonly dtype: FloatDType) {}

  node(id: number): Node {
    const n = this.nodes[id];
    if (!n) throw new CompilerBug(`no node ${id}`);
    return n;
  }

  val(id: number): Val {
    return { id, type: this.node(id).type };
  }

  /** Apply a primitive; shape errors come back as a Left naming the path, the op and the shapes. */
  op<K extends OpTag>(tag: K, inputs: readonly Val[], attrs: OpAttrs[K], path: string): E.Either<CompileError, Val> {
    const def = OPS[tag] as unknown as {
      infer: (ins: TensorType[], a: OpAttrs[K]) => E.Either<string, TensorType>;
    };
    const inferred = def.infer(
      inputs.map((v) => v.type),
      attrs,
    );
    if (E.isLeft(inferred)) return E.left(compileError(path, `${tag}: ${inferred.left}`));
    const id = this.nodes.length;
    this.nodes.push({ id, tag, inputs: inputs.map((v) => v.id), attrs, type: inferred.right, path } as Node);
    return E.right({ id, type: inferred.right });
  }

  /** Apply a primitive whose shapes the compiler itself guarantees (autodiff, optimizers). */
  must<K extends OpTag>(tag: K, inputs: readonly Val[], attrs: OpAttrs[K], path = this.implicitPath): Val {
    const r = this.op(tag, inputs, attrs, path);
    if (E.isLeft(r)) throw new CompilerBug(showError(r.left));
    return r.right;
  }

  /**
   * Runs `f` with `path` as the path of the nodes `must` emits unnamed: autodiff names each VJP's
   * nodes after their primal's layer (`….grad`), so a profile can put the backward pass's time on
   * its layers (bench/profileGan.ts).
   */
  within<T>(path: string, f: () => T): T {
    const outer = this.implicitPath;
    this.implicitPath = path;
    try {
      return f();
    } finally {
      this.implicitPath = outer;
    }
  }

  /** Declare a named graph input (data, parameter, optimizer state or noise). Names are unique. */
  input(name: string, shape: Shape, role: InputRole, dtype: DType = this.dtype): E.Either<CompileError, Val> {
    const existing = this.inputByName.get(name);
    if (existing) {
      const t = this.node(existing.id).type;
      const same = t.dtype === dtype && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
      return same && existing.role === role
        ? E.right(this.val(existing.id))
        : E.left(compileError(name, `declared twice with different shapes: [${t.shape.join(', ')}] and [${shape.join(', ')}]`));
    }
    const v = this.op('input', [], { name, shape, dtype }, name);
    if (E.isRight(v)) {
      const gi = { name, role, id: v.right.id };
      this.inputs.push(gi);
      this.inputByName.set(name, gi);
    }
    return v;
  }

  findInput(name: string): GraphInput | undefined {
    return this.inputByName.get(name);
  }

  /** A scalar or tensor constant in this graph's float dtype. */
  constant(values: readonly number[], shape: Shape = [], dtype: DType = this.dtype): Val {
    return this.must('constant', [], { values, shape, dtype }, 'const');
  }

  scalar(x: number): Val {
    return this.constant([x]);
  }
}
