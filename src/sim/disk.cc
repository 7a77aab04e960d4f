#include "sim/disk.h"

#include <fmt/format.h>

#include <cstring>

#include "node/log_record.h"

namespace raftsim::sim {

SimDisk::SimDisk(std::string name, DiskModel model, uint64_t seed, Scheduler schedule)
    : name_(std::move(name)), model_(model), rng_(seed), schedule_(std::move(schedule)) {}

void SimDisk::write(const std::optional<raft::HardState>& hard_state,
                    const std::vector<raft::Entry>& entries) {
  if (!hard_state && entries.empty()) return;
  PendingWrite w{.id = next_write_id_++, .keep_through = last_index_};
  w.meta = hard_state;
  if (!entries.empty()) {
    w.keep_through = entries.front().index.value - 1;
    for (const raft::Entry& e : entries)
      node::append_entry_record(w.records, e, /*sealed=*/false);
    last_index_ = entries.back().index.value;
  }
  pending_.push_back(std::move(w));
}

void SimDisk::write_snapshot(const raft::Snapshot& snapshot, bool replaces_log) {
  PendingWrite w{.id = next_write_id_++, .keep_through = last_index_};
  w.snapshot = node::encode_snapshot_record(snapshot);
  w.snapshot_index = snapshot.index.value;
  w.replaces_log = replaces_log;
  if (replaces_log) last_index_ = snapshot.index.value;
  pending_.push_back(std::move(w));
}

void SimDisk::sync(std::function<void()> done) {
  const uint64_t through = next_write_id_ - 1;
  const Duration latency = model_.fsync.sample(rng_);
  schedule_(latency, [this, through, done = std::move(done)] {
    // A lying fsync reports success and leaves the data in the volatile cache.
    if (!fsync_lies_) make_durable_through(through);
    done();
  });
}

void SimDisk::make_durable_through(uint64_t id) {
  while (!pending_.empty() && pending_.front().id <= id) {
    apply(pending_.front());
    pending_.pop_front();
  }
}

void SimDisk::keep_through(uint64_t index) {
  const uint64_t keep = index + 1 > first_index_ ? index + 1 - first_index_ : 0;
  if (keep < offsets_.size()) {
    log_.resize(offsets_[keep]);
    offsets_.resize(keep);
  }
}

// The snapshot file and the log it compacts are replaced together: a real node writes both to
// temporary files and renames them in one directory sync, which a crash cannot split.
void SimDisk::compact(const PendingWrite& w) {
  snapshot_ = *w.snapshot;
  const uint64_t dropped = w.replaces_log
                               ? offsets_.size()
                               : node::entries_covered(raft::Index{first_index_}, offsets_.size(),
                                                       raft::Index{w.snapshot_index});
  const uint64_t bytes = dropped < offsets_.size() ? offsets_[dropped] : log_.size();
  log_.erase(0, bytes);
  offsets_.erase(offsets_.begin(), offsets_.begin() + static_cast<ptrdiff_t>(dropped));
  for (uint64_t& offset : offsets_)
    offset -= bytes;
  verified_ = verified_ > bytes ? verified_ - bytes : 0;
  first_index_ = offsets_.empty() ? w.snapshot_index + 1 : first_index_ + dropped;
}

void SimDisk::apply(const PendingWrite& w) {
  if (w.meta) meta_ = *w.meta;
  if (w.snapshot) compact(w);
  if (w.records.empty()) return;
  keep_through(w.keep_through);
  verified_ = std::min<uint64_t>(verified_, log_.size());
  const bool intact = verified_ == log_.size();
  // Records are written unsealed (CRC field zero) and sealed only where they could be read back
  // untrusted: everything past verified_ always carries its real checksum.
  std::string sealed;
  if (!intact) {
    sealed = w.records;
    node::seal_records(sealed, 0, sealed.size());
  }
  const std::string& records = intact ? w.records : sealed;
  size_t at = 0;
  while (at < records.size()) {
    offsets_.push_back(log_.size() + at);
    at += node::record_size_at(records, at);
  }
  log_ += records;
  if (intact) verified_ = log_.size();  // freshly encoded records are intact by construction
}

void SimDisk::crash() {
  if (torn_write_armed_) {
    torn_write_armed_ = false;
    for (const PendingWrite& w : pending_) {
      if (w.records.empty()) continue;
      // The write in progress when power failed: some of its bytes reached the platter.
      PendingWrite torn = w;
      torn.meta.reset();
      const auto cut =
          static_cast<size_t>(rng_.between(1, static_cast<int64_t>(w.records.size()) - 1));
      torn.records.resize(cut);
      node::seal_records(torn.records, 0, torn.records.size());
      keep_through(torn.keep_through);
      verified_ = std::min<uint64_t>(verified_, log_.size());
      log_ += torn.records;  // offsets_ is rebuilt by load(), as a real recovery would
      break;
    }
  }
  pending_.clear();
  last_index_ = first_index_ - 1 + offsets_.size();
}

void SimDisk::wipe() {
  meta_.reset();
  snapshot_.clear();
  first_index_ = 1;
  log_.clear();
  offsets_.clear();
  pending_.clear();
  last_index_ = 0;
  verified_ = 0;
}

std::string SimDisk::corrupt(uint64_t index) {
  if (offsets_.empty()) return fmt::format("{}: no stored log record to corrupt", name_);
  if (index > offsets_.size()) {
    return fmt::format("{}: no log record {} to corrupt (the log holds {}): nothing changed", name_,
                       index, offsets_.size());
  }
  if (index == 0) index = offsets_.size();
  const uint64_t start = offsets_[index - 1];
  const uint64_t length = node::record_size_at(log_, start) - node::kRecordHeader;
  // The record and everything after it become untrusted: they get their real checksums before
  // the bit flips, so the flip is what the checksum catches.
  if (start < verified_) node::seal_records(log_, start, verified_);
  verified_ = std::min<uint64_t>(verified_, start);
  const uint64_t byte = start + node::kRecordHeader + rng_.uniform(length);
  log_[byte] = static_cast<char>(log_[byte] ^ (1 << rng_.uniform(8)));
  return fmt::format("{}: flipped a bit in log record {} (byte offset {})", name_, index, byte);
}

std::variant<node::Loaded, node::LoadError> SimDisk::load() {
  node::Loaded loaded;
  if (meta_) {
    // No fault touches the meta record, so it is encoded only here, and checked like any other.
    const auto hs = node::decode_meta_record(node::encode_meta_record(*meta_));
    if (!hs) {
      return node::LoadError{
          fmt::format("{}: meta record fails its checksum; refusing to start", name_)};
    }
    loaded.state.hard_state = *hs;
  }
  if (!snapshot_.empty()) {
    auto snapshot = node::decode_snapshot_record(snapshot_);
    if (!snapshot) {
      return node::LoadError{
          fmt::format("{}: snapshot record fails its checksum; refusing to start", name_)};
    }
    loaded.state.snapshot = std::move(*snapshot);
  }
  node::LogScan scan = node::scan_log(log_, verified_, raft::Index{first_index_});
  switch (scan.ending) {
    case node::LogScan::Ending::kClean:
      break;
    case node::LogScan::Ending::kCorrupt:
      return node::LoadError{fmt::format(
          "{}: log record {} at byte offset {} {}, and valid records follow it; refusing to "
          "start on a corrupt log",
          name_, scan.bad_index, scan.bad_offset, scan.why)};
    case node::LogScan::Ending::kTornTail:
      loaded.repaired =
          fmt::format("{}: torn tail: record {} at byte offset {} ({} bytes) {}; truncated", name_,
                      scan.bad_index, scan.bad_offset, log_.size() - scan.bad_offset, scan.why);
      log_.resize(scan.good_bytes);
      break;
  }
  offsets_ = std::move(scan.offsets);
  loaded.state.entries = std::move(scan.entries);
  last_index_ = first_index_ - 1 + offsets_.size();
  verified_ = log_.size();
  // Hard state that outlived its log (a lying fsync) may point past it; the core clamps it.
  return loaded;
}

raft::Restored SimDisk::durable_state() const {
  raft::Restored state;
  if (meta_) state.hard_state = *meta_;
  if (!snapshot_.empty()) {
    auto snapshot = node::decode_snapshot_record(snapshot_);
    if (!snapshot) return state;
    state.snapshot = std::move(*snapshot);
  }
  state.entries = node::scan_log(log_, verified_, raft::Index{first_index_}).entries;
  return state;
}

}  // namespace raftsim::sim
