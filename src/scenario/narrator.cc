#include "scenario/narrator.h"

#include <fmt/format.h>

#include "node/kv.h"
#include "raft/message.h"
#include "raft/ready.h"
#include "sim/world.h"

namespace raftsim::scenario {

namespace {

std::string node_name(const std::vector<std::string>& names, uint32_t id) {
  if (id >= 1 && id <= names.size()) return names[id - 1];
  return fmt::format("#{}", id);
}

std::string stamp(sim::SimTime t) {
  return fmt::format("{:9.3f}s", sim::seconds(t));
}

}  // namespace

std::string describe(const sim::TraceEvent& e, const std::vector<std::string>& names) {
  using sim::TraceKind;
  const std::string node = node_name(names, e.node);
  const std::string peer = node_name(names, e.peer);
  switch (e.kind) {
    case TraceKind::kRole:
      return fmt::format("{} is {} in term {}{}", node,
                         raft::to_string(static_cast<raft::Role>(e.a)), e.b,
                         e.peer ? fmt::format(" (leader {})", peer) : "");
    case TraceKind::kTerm:
      return fmt::format("{} enters term {}", node, e.b);
    case TraceKind::kVote:
      return fmt::format("{} votes for {} in term {}", node, peer, e.b);
    case TraceKind::kCommit:
      return fmt::format("{} commits up to {} (term {})", node, e.a, e.b);
    case TraceKind::kApply:
      return fmt::format("{} applies {} (term {})", node, e.a, e.b);
    case TraceKind::kSend:
    case TraceKind::kDeliver:
    case TraceKind::kDuplicate:
    case TraceKind::kDrop:
      return fmt::format("{} {} -> {} {} t{} idx {}{}{}{}", sim::to_string(e.kind), node, peer,
                         raft::to_string(static_cast<raft::MessageType>(e.a)), e.b, e.c,
                         e.d ? fmt::format(" +{} entries", e.d) : "", e.flag ? " reject" : "",
                         e.text.empty() ? "" : " (" + e.text + ")");
    case TraceKind::kFault:
      return "fault: " + e.text;
    case TraceKind::kClientInvoke:
      return fmt::format("client {} asks {}: {}", e.node, peer, e.text);
    case TraceKind::kClientComplete:
      return fmt::format("client {} done: {}", e.node, e.text);
    case TraceKind::kNodeDown:
      return fmt::format("{} down: {}", node, e.text);
    case TraceKind::kNodeUp:
      return fmt::format("{} up{}", node, e.text.empty() ? "" : ": " + e.text);
    case TraceKind::kTruncate:
      return fmt::format("{} discards entries {}..{}", node, e.a, e.b);
    case TraceKind::kNote:
      return e.text;
    case TraceKind::kSnapshot:
      return fmt::format("{} {} snapshot through {} (term {})", node,
                         e.flag ? "installs the leader's" : "takes a", e.a, e.b);
    case TraceKind::kLie:
      return fmt::format("{} lies to {} (lie {}, term {}, claims {}, truth {})", node, peer, e.a,
                         e.b, e.c, e.d);
    case TraceKind::kTimer:
      return fmt::format("{} election timer: fires at {}us", node, e.a);
  }
  return "?";
}

Narrator::Narrator(std::vector<std::string> names, bool verbose, Print print, bool from_outside)
    : names_(std::move(names)),
      verbose_(verbose),
      from_outside_(from_outside),
      print_(std::move(print)),
      role_(names_.size() + 1, 0),
      term_(names_.size() + 1, 0),
      last_commit_line_(names_.size() + 1, sim::SimTime::min()),
      last_commit_index_(names_.size() + 1, 0),
      commit_(names_.size() + 1, 0) {}

std::string Narrator::name(uint32_t id) const {
  return node_name(names_, id);
}

void Narrator::line(sim::SimTime time, const std::string& text) {
  print_(fmt::format("{}  {}", stamp(time), text));
}

void Narrator::on_event(const sim::TraceEvent& e) {
  using sim::TraceKind;
  settle_campaign(e);
  switch (e.kind) {
    case TraceKind::kFault:
      // A liar's forged message is told by its kLie event, once per term, not once per message.
      if (e.node != 0) return;
      return line(e.time, "FAULT  " + e.text);
    case TraceKind::kRole:
      return on_role(e);
    case TraceKind::kLie:
      return on_lie(e);
    case TraceKind::kTerm:
      if (e.node >= term_.size()) return;
      if (role_[e.node] == static_cast<uint64_t>(raft::Role::kCandidate) && e.b > term_[e.node]) {
        campaign_ = Campaign{e.node, e.b, e.time};
      }
      term_[e.node] = e.b;
      return;
    case TraceKind::kDeliver:
      if (static_cast<raft::MessageType>(e.a) == raft::MessageType::kVoteResponse && !e.flag) {
        votes_[{e.peer, e.b}].insert(e.node);
      }
      return;
    case TraceKind::kNodeDown:
      // A crashed leader leads nothing; its restart is told as such, not as a step-down.
      if (e.node < role_.size()) role_[e.node] = static_cast<uint64_t>(raft::Role::kFollower);
      return line(e.time, fmt::format("{} {}", name(e.node), e.text));
    case TraceKind::kTruncate:
      return line(e.time, fmt::format("{} discards entries {}..{}: the leader's log has other "
                                      "entries there (a correct cluster never committed them)",
                                      name(e.node), e.a, e.b));
    case TraceKind::kSnapshot:
      // Taking one is routine; installing one means a follower was too far behind for the log.
      if (!e.flag && !verbose_) return;
      return line(e.time,
                  e.flag ? fmt::format("{} installs the leader's snapshot through entry {} (term "
                                       "{}): the entries it lacked were compacted away",
                                       name(e.node), e.a, e.b)
                         : fmt::format("{} snapshots its state machine and compacts its log "
                                       "through entry {}",
                                       name(e.node), e.a));
    case TraceKind::kNodeUp:
      return line(e.time, fmt::format("{} starts again from its disk{}", name(e.node),
                                      e.text.empty() ? "" : " (" + e.text + ")"));
    case TraceKind::kCommit: {
      // Commit progress: the leader's, at most once a second of virtual time (verbose: all).
      if (e.node >= role_.size()) return;
      const uint64_t previous = commit_[e.node];
      commit_[e.node] = e.a;
      const bool leader = role_[e.node] == static_cast<uint64_t>(raft::Role::kLeader);
      if (!verbose_ && (!leader || e.time < last_commit_line_[e.node] + sim::Duration{1000000})) {
        return;
      }
      const uint64_t from = (verbose_ ? previous : last_commit_index_[e.node]) + 1;
      line(e.time, from_outside_ ? fmt::format("{} commits entries {}..{}", name(e.node), from, e.a)
                                 : fmt::format("{} commits entries {}..{} (term {})", name(e.node),
                                               from, e.a, e.b));
      last_commit_line_[e.node] = e.time;
      last_commit_index_[e.node] = e.a;
      return;
    }
    case TraceKind::kClientInvoke:
    case TraceKind::kClientComplete:
      if (verbose_) line(e.time, describe(e, names_));
      return;
    case TraceKind::kNote: {
      // A node acts on a new configuration (membership change): told by the first node to hold
      // it, usually the leader that appended it; verbose, by every node.
      const size_t at = e.text.find(" acts on ");
      if (at == std::string::npos) return;
      const bool first = configurations_told_.insert({e.a, e.text.substr(at)}).second;
      if (!first && !verbose_) return;
      return line(e.time, e.text + (e.flag ? ": a joint configuration, every quorum needs a "
                                             "majority of both voter sets"
                                           : ""));
    }
    default:
      return;
  }
}

void Narrator::settle_campaign(const sim::TraceEvent& e) {
  if (!campaign_) return;
  const Campaign c = *campaign_;
  const bool same_step = e.node == c.node && e.time == c.time;
  // A vote comes between the term and the role events of one step.
  if (same_step && e.kind == sim::TraceKind::kVote) return;
  campaign_.reset();
  if (same_step && e.kind == sim::TraceKind::kRole) return;
  line(c.time, fmt::format("{} campaigns for term {}", name(c.node), c.term));
}

void Narrator::on_lie(const sim::TraceEvent& e) {
  const auto lie = static_cast<sim::Lie>(e.a);
  // A forged vote is told per candidate, and a forged ack again once it covers an entry the
  // liar does not hold.
  const uint32_t which = lie == sim::Lie::kVoteForEveryone ? e.peer
                         : lie == sim::Lie::kForgeAcks     ? static_cast<uint32_t>(e.d)
                                                           : 0;
  if (!lies_told_.insert({e.node, e.a, e.b, e.flag, which}).second) return;
  const std::string liar = name(e.node);
  const char* vote = e.flag ? "pre-vote" : "vote";
  switch (lie) {
    case sim::Lie::kInflateLog:
      return line(e.time, fmt::format("LIE    {}'s {} requests for term {} claim a log through "
                                      "entry {} of term {} (its log ends at entry {})",
                                      liar, vote, e.b, e.c, e.b, e.d));
    case sim::Lie::kVoteForEveryone: {
      std::string others;
      for (const auto& [node, kind, term, pre, peer] : lies_told_) {
        if (node == e.node && kind == e.a && term == e.b && pre == e.flag && peer != e.peer)
          others += (others.empty() ? "" : ", ") + name(peer);
      }
      return line(e.time,
                  fmt::format("LIE    {} grants {} its {} in term {}{}", liar, name(e.peer), vote,
                              e.b, others.empty() ? "" : " (it also granted " + others + ")"));
    }
    case sim::Lie::kForgeAcks:
      if (e.d) {
        return line(e.time, fmt::format("LIE    {} acknowledges {}'s appends of term {} as they "
                                        "arrive, whatever its log holds (first: entries through "
                                        "{})",
                                        liar, name(e.peer), e.b, e.c));
      }
      return line(e.time, fmt::format("LIE    {} acknowledges entries through {} of term {} to {}: "
                                      "its log does not hold them",
                                      liar, e.c, e.b, name(e.peer)));
    case sim::Lie::kTermInflation:
      return line(e.time, fmt::format("LIE    {} sends its messages of term {} as term {}", liar,
                                      e.b, e.c));
  }
}

void Narrator::on_role(const sim::TraceEvent& e) {
  if (e.node >= role_.size()) return;
  const auto role = static_cast<raft::Role>(e.a);
  const auto was = static_cast<raft::Role>(role_[e.node]);
  role_[e.node] = e.a;
  if (role == raft::Role::kLeader && was != raft::Role::kLeader) {
    std::string voters;
    for (uint32_t v : votes_[{e.node, e.b}])
      voters += " " + name(v);
    line(e.time, from_outside_ ? fmt::format("{} becomes leader of term {}", name(e.node), e.b)
                               : fmt::format("{} becomes leader of term {} (votes: {}{})",
                                             name(e.node), e.b, name(e.node), voters));
    last_commit_index_[e.node] = commit_[e.node];
    last_commit_line_[e.node] = sim::SimTime::min();
  } else if (role == raft::Role::kCandidate && was != raft::Role::kCandidate) {
    line(e.time, fmt::format("{} campaigns for term {}", name(e.node), e.b));
  } else if (was == raft::Role::kLeader && role != raft::Role::kLeader) {
    line(e.time, fmt::format("{} steps down in term {}", name(e.node), e.b));
  }
}

}  // namespace raftsim::scenario
