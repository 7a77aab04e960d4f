// A small, fast, seedable PRNG (xoshiro256**, seeded through SplitMix64). Every random choice in
// the core and in the simulated world comes from an explicitly seeded instance of this type — never
// from global state — so a run is a pure function of its seeds.
#pragma once

#include <cstdint>

namespace raftsim::raft {

class Random {
 public:
  explicit Random(uint64_t seed) {
    for (auto& word : state_)
      word = split_mix(seed);
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound); bound must be > 0. Lemire's multiply-shift: no modulo bias worth
  // worrying about at these bounds, and no division on the hot path.
  uint64_t uniform(uint64_t bound) {
    __extension__ using u128 = unsigned __int128;  // GCC/Clang; -Wpedantic knows no 128-bit type
    return static_cast<uint64_t>((static_cast<u128>(next_u64()) * bound) >> 64);
  }

  // Uniform in [lo, hi]; requires lo <= hi.
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(uniform(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  bool chance(double probability) { return probability > 0 && unit() < probability; }

  // Derives an independent stream, so that adding a consumer of one stream never shifts the
  // choices of another: streams are keyed by name-like integers, not by draw order.
  static uint64_t derive_seed(uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0x9E3779B97F4A7C15ULL);
    return split_mix(x);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t split_mix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

}  // namespace raftsim::raft
