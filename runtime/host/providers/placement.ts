// Where onnxruntime places each node of a graph (the verbose "Node placements" log of session
// creation, read from a child process): the check that nothing of an artifact falls back from the
// CUDA provider to the CPU.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface GraphPlacement {
  /** Execution provider → node count. One entry per graph (a Loop's body is a graph of its own). */
  readonly counts: Readonly<Record<string, number>>;
  /** Execution provider → "OpType (node name)" lines, where onnxruntime lists them. */
  readonly nodes: Readonly<Record<string, readonly string[]>>;
}

/** Parses the lines after each "Node placements" header. */
export const parsePlacements = (log: string): GraphPlacement[] => {
  const out: { counts: Record<string, number>; nodes: Record<string, string[]> }[] = [];
  let current: (typeof out)[number] | null = null;
  let ep: string | null = null;
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    if (/\] Node placements\s*$/.test(line)) {
      current = { counts: {}, nodes: {} };
      out.push(current);
      ep = null;
      continue;
    }
    if (!current) continue;
    const all = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(line);
    const some = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(line);
    if (all || some) {
      const [, name, n] = (all ?? some) as RegExpExecArray;
      current.counts[name] = (current.counts[name] ?? 0) + Number(n);
      ep = some ? name : null;
      if (ep) current.nodes[ep] ??= [];
      continue;
    }
    const node = /VerifyEachNodeIsAssignedToAnEp\]\s{2,}(\S.*)$/.exec(line);
    if (node && ep) current.nodes[ep].push(node[1].trim());
    else if (!/VerifyEachNodeIsAssignedToAnEp/.test(line)) ep = null;
  }
  return out;
};

export interface PlacementReport {
  readonly opened: boolean;
  readonly error?: string;
  readonly graphs: readonly GraphPlacement[];
  /** Nodes on any provider other than the wanted one, over all graphs. */
  readonly elsewhere: Readonly<Record<string, number>>;
}

const EP_NAMES: Readonly<Record<string, string>> = { cpu: 'CPUExecutionProvider', cuda: 'CUDAExecutionProvider', webgpu: 'WebGpuExecutionProvider' };

export const placementOf = (pkg: string, model: string, provider: string, env: NodeJS.ProcessEnv = process.env): PlacementReport => {
  const r = spawnSync(process.execPath, [require.resolve('./placement.cjs'), pkg, model, provider], { encoding: 'utf8', env, maxBuffer: 1 << 28, timeout: 300_000 });
  const graphs = parsePlacements(r.stderr ?? '');
  const want = EP_NAMES[provider] ?? provider;
  const elsewhere: Record<string, number> = {};
  for (const g of graphs) for (const [ep, n] of Object.entries(g.counts)) if (ep !== want) elsewhere[ep] = (elsewhere[ep] ?? 0) + n;
  const opened = r.status === 0 && (r.stdout ?? '').startsWith('opened');
  return { opened, error: opened ? undefined : (r.stdout || r.stderr || `signal ${r.signal}`).trim().split('\n').pop(), graphs, elsewhere };
};
