#include "cluster.h"

#include <algorithm>
#include <sstream>

namespace raftsim::test {

std::vector<Entry> log_of_terms(const std::vector<uint64_t>& terms) {
  std::vector<Entry> entries;
  for (size_t i = 0; i < terms.size(); ++i) {
    entries.push_back(Entry{Term{terms[i]}, Index{i + 1}, raft::EntryType::kCommand,
                            "e" + std::to_string(i + 1) + "t" + std::to_string(terms[i])});
  }
  return entries;
}

std::vector<uint64_t> terms_of(const raft::Log& log) {
  std::vector<uint64_t> terms(log.snapshot_index().value, 0);  // compacted: unknown
  for (Index i = log.first_index(); i <= log.last_index(); i = i.next())
    terms.push_back(log.term_at(i).value);
  return terms;
}

// The test cluster's "state machine" is the list of entries applied; a snapshot is that list.
std::string snapshot_of(const std::vector<Entry>& applied) {
  std::string out;
  for (const Entry& e : applied) {
    out += std::to_string(e.term.value) + " " + std::to_string(e.index.value) + " " +
           std::to_string(static_cast<int>(e.type)) + " " + std::to_string(e.command.size()) + ":" +
           e.command;
  }
  return out;
}

std::vector<Entry> entries_of(const std::string& snapshot) {
  std::vector<Entry> out;
  std::istringstream in(snapshot);
  uint64_t term = 0, index = 0, size = 0;
  int type = 0;
  char colon = 0;
  while (in >> term >> index >> type >> size >> colon) {
    std::string command(size, '\0');
    in.read(command.data(), static_cast<std::streamsize>(size));
    out.push_back(Entry{Term{term}, Index{index}, static_cast<raft::EntryType>(type), command});
  }
  return out;
}

Cluster::Cluster(size_t n, std::function<void(raft::Config&)> configure) {
  std::vector<NodeId> voters;
  for (size_t i = 1; i <= n; ++i)
    voters.push_back(NodeId{static_cast<uint32_t>(i)});
  nodes_.resize(n);
  for (NodeId id : voters) {
    Member& m = node(id);
    m.config.id = id;
    m.config.voters = voters;
    m.config.seed = 1000 + id.value;
    if (configure) configure(m.config);
    m.storage = std::make_unique<node::MemoryStorage>();
    rebuild(id);
  }
}

std::vector<NodeId> Cluster::ids() const {
  std::vector<NodeId> out;
  for (const Member& m : nodes_)
    out.push_back(m.config.id);
  return out;
}

void Cluster::rebuild(NodeId id) {
  Member& m = node(id);
  if (!m.applied.empty()) m.past_applied.push_back(std::move(m.applied));
  m.applied.clear();
  m.reads.clear();
  auto loaded = m.storage->load();
  const raft::Restored& state = std::get<node::Loaded>(loaded).state;
  m.applied = entries_of(state.snapshot.data);
  m.core = std::make_unique<raft::Raft>(m.config, state);
}

void Cluster::compact(NodeId id) {
  Member& m = node(id);
  if (!m.core || m.applied.empty()) return;
  const Entry& last = m.applied.back();
  if (last.index <= m.core->log().snapshot_index()) return;
  raft::Snapshot snapshot{last.index, last.term, snapshot_of(m.applied),
                          m.core->snapshot_configuration(last.index)};
  m.storage->write_snapshot(snapshot, /*replaces_log=*/false);
  m.core->compact(std::move(snapshot));
}

void Cluster::load(NodeId id, raft::Restored state) {
  Member& m = node(id);
  m.storage = std::make_unique<node::MemoryStorage>();
  m.storage->write(state.hard_state, state.entries);
  rebuild(id);
}

void Cluster::process(NodeId id) {
  Member& m = node(id);
  if (!m.core) return;
  while (m.core->has_ready()) {
    raft::Ready rd = m.core->ready();
    if (rd.snapshot) m.storage->write_snapshot(*rd.snapshot, /*replaces_log=*/true);
    m.storage->write(rd.hard_state, rd.entries);
    for (auto* batch : {&rd.messages, &rd.after_persist}) {
      for (const Message& msg : *batch) {
        m.sent.push_back(msg);
        in_flight_.push_back(msg);
      }
    }
    if (rd.snapshot) {
      // A new state machine: what this incarnation had applied is replaced, not extended.
      if (!m.applied.empty()) m.past_applied.push_back(std::move(m.applied));
      m.applied = entries_of(rd.snapshot->data);
    }
    m.applied.insert(m.applied.end(), rd.committed.begin(), rd.committed.end());
    if (on_apply) {
      for (const Entry& e : rd.committed)
        on_apply(id, e, m.core->term());
    }
    m.reads.insert(m.reads.end(), rd.reads.begin(), rd.reads.end());
    m.core->advance(rd);
  }
}

void Cluster::process_all() {
  for (Member& m : nodes_)
    process(m.config.id);
}

bool Cluster::deliver(Message m) {
  if (m.to.value == 0 || m.to.value > nodes_.size() || !up(m.to)) return false;
  if (cut_.contains({m.from, m.to})) return false;
  if (intercept && !intercept(m)) return false;
  core(m.to).step(m);
  process(m.to);
  return true;
}

size_t Cluster::stabilize(size_t max_steps) {
  size_t delivered = 0;
  process_all();
  for (size_t step = 0; step < max_steps && !in_flight_.empty(); ++step) {
    Message m = std::move(in_flight_.front());
    in_flight_.erase(in_flight_.begin());
    delivered += deliver(std::move(m)) ? 1 : 0;
  }
  return delivered;
}

void Cluster::isolate(NodeId id) {
  for (NodeId other : ids()) {
    if (other == id) continue;
    cut(id, other);
    cut(other, id);
  }
}

void Cluster::tick(NodeId id) {
  if (!up(id)) return;
  core(id).tick();
  process(id);
}

void Cluster::tick_all() {
  for (NodeId id : ids())
    tick(id);
}

void Cluster::campaign(NodeId id) {
  core(id).campaign();
  process(id);
}

raft::ProposeResult Cluster::propose(NodeId id, std::string command) {
  raft::ProposeResult result = core(id).propose(std::move(command));
  process(id);
  return result;
}

void Cluster::crash(NodeId id) {
  Member& m = node(id);
  if (!m.applied.empty()) m.past_applied.push_back(std::move(m.applied));
  m.applied.clear();
  m.core.reset();
}

void Cluster::restart(NodeId id) {
  if (up(id)) crash(id);
  rebuild(id);
  process(id);
}

std::vector<std::vector<Entry>> Cluster::all_applied() const {
  std::vector<std::vector<Entry>> out;
  for (const Member& m : nodes_) {
    out.insert(out.end(), m.past_applied.begin(), m.past_applied.end());
    out.push_back(m.applied);
  }
  return out;
}

std::optional<NodeId> Cluster::leader() const {
  std::optional<NodeId> best;
  for (const Member& m : nodes_) {
    if (!m.core || m.core->role() != raft::Role::kLeader) continue;
    if (!best || m.core->term() > node(*best).core->term()) best = m.config.id;
  }
  return best;
}

std::string check_log_matching(const std::vector<const raft::Log*>& logs) {
  for (size_t a = 0; a < logs.size(); ++a) {
    for (size_t b = a + 1; b < logs.size(); ++b) {
      const raft::Log& x = *logs[a];
      const raft::Log& y = *logs[b];
      // Compacted prefixes hold applied entries: check_applied_prefixes covers them.
      const Index floor = std::max(x.snapshot_index(), y.snapshot_index());
      Index top = std::min(x.last_index(), y.last_index());
      while (top > floor && x.term_at(top) != y.term_at(top))
        top = top.prev();
      for (Index i = floor.next(); i <= top; i = i.next()) {
        if (!(x.at(i) == y.at(i))) {
          std::ostringstream out;
          out << "log matching: logs #" << a << " and #" << b << " share index " << top.value
              << " term " << x.term_at(top).value << " but differ at index " << i.value;
          return out.str();
        }
      }
    }
  }
  return {};
}

std::string check_applied_prefixes(const std::vector<std::vector<Entry>>& sequences) {
  const std::vector<Entry>* longest = nullptr;
  for (const auto& s : sequences) {
    if (!longest || s.size() > longest->size()) longest = &s;
  }
  for (size_t n = 0; n < sequences.size(); ++n) {
    const auto& s = sequences[n];
    for (size_t i = 0; i < s.size(); ++i) {
      if (!(s[i] == (*longest)[i])) {
        std::ostringstream out;
        out << "state machine safety: index " << s[i].index.value << " applied with term "
            << s[i].term.value << " in sequence #" << n << " and with term "
            << (*longest)[i].term.value << " elsewhere";
        return out.str();
      }
    }
  }
  return {};
}

}  // namespace raftsim::test
