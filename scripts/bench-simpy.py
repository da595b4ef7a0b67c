#!/usr/bin/env python3
"""The reference network in SimPy, for comparing `archplay bench` with a general-purpose
discrete-event library on the same workload (not part of the tests).

It models what src/sim/bare.rs does: Poisson arrivals at 900/s; every wire 0.25 ms each way;
a round-robin load balancer; four single-worker servers (exponential, mean 4 ms) that free
their worker before an async call; for 30 % of requests a database with two workers
(exponential, mean 5 ms). It prints requests per wall second and the mean end-to-end latency,
which should agree with the engine's (`archplay run public/examples/reference-network.json`)
within sampling noise.

    python3 -m pip install simpy==4.1.2
    python3 scripts/bench-simpy.py [SIMULATED_SECONDS]
"""
import random
import sys
import time

import simpy

WIRE_S = 0.00025


def main(seconds: float) -> None:
    env = simpy.Environment()
    rng = random.Random(1)
    servers = [simpy.Resource(env, capacity=1) for _ in range(4)]
    database = simpy.Resource(env, capacity=2)
    done = {"requests": 0, "latency_s": 0.0}
    turn = [0]

    def request():
        born = env.now
        yield env.timeout(WIRE_S)  # users -> load balancer
        k = turn[0]
        turn[0] = (k + 1) % len(servers)
        yield env.timeout(WIRE_S)  # load balancer -> server k
        with servers[k].request() as worker:
            yield worker
            yield env.timeout(rng.expovariate(250.0))
        if rng.random() < 0.3:
            yield env.timeout(WIRE_S)  # server -> database
            with database.request() as connection:
                yield connection
                yield env.timeout(rng.expovariate(200.0))
            yield env.timeout(WIRE_S)  # database -> server
        yield env.timeout(WIRE_S)  # server -> load balancer
        yield env.timeout(WIRE_S)  # load balancer -> users
        done["requests"] += 1
        done["latency_s"] += env.now - born

    def users():
        while True:
            yield env.timeout(rng.expovariate(900.0))
            env.process(request())

    env.process(users())
    start = time.perf_counter()
    env.run(until=seconds)
    wall = time.perf_counter() - start
    n = done["requests"]
    print(
        f"SimPy {simpy.__version__}: {n} requests in {wall:.2f} s wall = "
        f"{n / wall / 1e6:.4f} M requests/s; mean latency {1000 * done['latency_s'] / n:.2f} ms"
    )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 120.0)
