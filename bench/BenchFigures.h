// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the benchmarks share about their figures: the median of repeated timings, and a word on how busy the
// machine was, since every target is wall-clock time.
#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

// One slow round (another process, a page fault) moves the median less than it moves a mean or a single run.
inline double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Prints the 1-minute load average against the cores and, when other work outnumbers them, that the wall-clock
// figures (and so the verdicts) are inflated by it: a busy shared machine is no measurement of Sunset.
inline void printMachineLoad()
{
    double load = -1;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load) != 1)
            load = -1;
        std::fclose(f);
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    if (load < 0)
        return;
    std::printf("load average %.1f on %u cores%s\n", load, cores,
                load > cores ? ": the machine is busy, wall-clock figures and verdicts are inflated by other work"
                             : "");
}
