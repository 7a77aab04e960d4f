#include "check/configuration_steps.h"

#include <fmt/format.h>

#include <string_view>

namespace raftsim::check {

namespace {

std::string ids(const std::vector<raft::NodeId>& nodes) {
  std::string out;
  for (raft::NodeId id : nodes)
    out += (out.empty() ? "n" : " n") + std::to_string(id.value);
  return out;
}

}  // namespace

std::string describe(const raft::Configuration& c) {
  std::string out = "voters {" + ids(c.voters) + "}";
  if (c.joint()) out += " outgoing {" + ids(c.outgoing) + "}";
  if (!c.learners.empty()) out += " learners {" + ids(c.learners) + "}";
  return out;
}

ConfigurationSteps::ConfigurationSteps(raft::Configuration bootstrap) {
  committed_[raft::Index{}] = {std::move(bootstrap), false};
}

std::optional<ConfigurationSteps::Broken> ConfigurationSteps::observe(const raft::Raft& core) {
  raft::Index& scanned = scanned_[core.id()];
  const raft::Log& log = core.log();
  // A restart may bring the commit index back down; what was scanned stays scanned.
  const raft::Index commit = core.commit_index();
  if (commit <= scanned) return std::nullopt;
  std::optional<Broken> broken;
  if (log.snapshot_index() > scanned) {
    // Compacted before this node was seen to commit them (a snapshot taken or installed in the
    // same step): the configuration at the snapshot point is known, not the steps to it.
    const auto& snapshot = core.snapshot();
    raft::Configuration at_snapshot = snapshot ? snapshot->configuration : raft::Configuration{};
    if (at_snapshot.empty()) at_snapshot = committed_.begin()->second.configuration;
    broken = record(log.snapshot_index(), {std::move(at_snapshot), true});
  }
  for (raft::Index i = std::max(scanned, log.snapshot_index()).next(); i <= commit; i = i.next()) {
    const raft::Entry& e = log.at(i);
    if (e.type != raft::EntryType::kConfiguration) continue;
    auto configuration = raft::Configuration::decode(e.command);
    if (!configuration) continue;  // the core refuses such entries
    if (auto b = record(i, {std::move(*configuration), false}); b && !broken) broken = std::move(b);
  }
  scanned = commit;
  return broken;
}

std::optional<ConfigurationSteps::Broken> ConfigurationSteps::record(raft::Index index,
                                                                     const Known& known) {
  auto [it, fresh] = committed_.try_emplace(index, known);
  // Two different entries committed at one index: state machine safety's to report. A real
  // entry seen after a snapshot point at its index stood in for it: the step into it is known now.
  if (!fresh) {
    if (!it->second.after_gap || known.after_gap) return std::nullopt;
    it->second.after_gap = false;
  }
  const raft::Configuration& configuration = it->second.configuration;
  const auto& [before_index, before_known] = *std::prev(it);
  const raft::Configuration& before = before_known.configuration;
  if (!it->second.after_gap && !raft::is_single_step(before, configuration)) {
    return Broken{index, fmt::format("committed configuration {} (entry {}) does not follow {} "
                                     "(entry {}) by one step",
                                     describe(configuration), index.value, describe(before),
                                     before_index.value)};
  }
  auto after = std::next(it);
  if (after != committed_.end() && !after->second.after_gap &&
      !raft::is_single_step(configuration, after->second.configuration)) {
    return Broken{after->first,
                  fmt::format("committed configuration {} (entry {}) does not follow {} "
                              "(entry {}) by one step",
                              describe(after->second.configuration), after->first.value,
                              describe(configuration), index.value)};
  }
  return std::nullopt;
}

std::string configuration_not_in_log(const raft::Log& log, raft::Index at,
                                     const raft::Configuration& configuration) {
  // The bootstrap configuration, or a snapshot's: nothing left in the log to hold it.
  if (at <= log.snapshot_index()) return "";
  std::string gone;
  if (!log.contains(at)) {
    gone = fmt::format("past the end of its log (entry {})", log.last_index().value);
  } else if (const raft::Entry& e = log.at(at); e.type != raft::EntryType::kConfiguration) {
    gone = fmt::format("but its entry {} is no configuration entry now (term {})", at.value,
                       e.term.value);
  } else {
    return "";
  }
  return fmt::format(
      "acts on configuration {} of entry {}, {}: a truncation removed that entry, so the "
      "configuration before it should be in force again",
      describe(configuration), at.value, gone);
}

std::string non_voter_standing(raft::Role role, raft::Term term,
                               const raft::Configuration& configuration, raft::NodeId id,
                               raft::Index configuration_index, raft::Index commit_index) {
  if (role == raft::Role::kFollower || configuration.is_voter(id) ||
      commit_index < configuration_index) {
    return "";
  }
  std::string_view doing = "leads term";
  if (role == raft::Role::kCandidate) doing = "campaigns in term";
  if (role == raft::Role::kPreCandidate) {
    doing = "asks for pre-votes for term";
    term = term.next();  // the term it would campaign in, not yet its own
  }
  const std::string from = configuration_index.value == 0
                               ? std::string("the bootstrap one")
                               : fmt::format("entry {}", configuration_index.value);
  return fmt::format(
      "{} {} as {} of its configuration ({}, committed): only a voter leads or stands for "
      "election",
      doing, term.value, configuration.is_learner(id) ? "a learner" : "no member", from);
}

std::optional<VoterBehind> new_voter_behind(const raft::Raft& leader,
                                            const raft::Configuration& before, raft::Index commit) {
  for (raft::NodeId v : leader.configuration().voters) {
    if (v == leader.id() || before.is_voter(v)) continue;
    const auto it = leader.progress().find(v);
    const raft::Index holds =
        it == leader.progress().end() ? raft::Index{} : it->second.match_index;
    if (holds < commit) return VoterBehind{v, holds};
  }
  return std::nullopt;
}

}  // namespace raftsim::check
