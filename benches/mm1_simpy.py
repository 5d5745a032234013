"""The M/M/1 benchmark model (lambda 0.9, mu 1.0, one FIFO server) in SimPy,
for comparison with snapsim's engine (benches/engine_mm1.rs).

Usage: python mm1_simpy.py CUSTOMERS
Prints one line: customers per second of the run loop, and the mean
response time (theory 10).
"""
import random
import sys
import time

import simpy

LAMBDA, MU = 0.9, 1.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    rng = random.Random(42)
    stats = {"total": 0.0, "done": 0}
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)

    def customer():
        arrived = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(MU))
        stats["total"] += env.now - arrived
        stats["done"] += 1

    def source():
        for _ in range(n):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer())

    env.process(source())
    start = time.perf_counter()
    env.run()
    wall = time.perf_counter() - start
    done = stats["done"]
    print(f"BENCH simpy_customers_per_s={done / wall:.0f} mean_response={stats['total'] / done:.3f}")


if __name__ == "__main__":
    main()
