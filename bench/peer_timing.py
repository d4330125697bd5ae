"""How every bench peer times its steps and prints its line (bench/peers.ts reads it), so the peers
differ only in their models. Imports neither torch nor jax: each peer brings its own."""
import json, resource, time


def time_steps(run, warm, reps, steps):
    """`run(start, n)` runs steps start … start + n − 1. The first two (compilation, for a JIT) are
    timed apart, `warm` more run untimed, then `reps` timings of `steps` steps: (first, rates)."""
    t0 = time.perf_counter()
    run(0, 2)
    first = time.perf_counter() - t0
    run(2, warm)
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run(0, steps)
        rates.append(steps / (time.perf_counter() - t0))
    return first, rates


def compile_s(first, rates):
    """The first two steps' time beyond two ordinary steps: what compiling cost."""
    return max(0.0, first - 2 / max(rates))


def report(rates, threads, **rest):
    """The peer's one JSON line: rates, peak memory, threads, then the peer's own fields in order."""
    print(json.dumps({"steps_per_s": rates, "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "threads": threads, **rest}))
