#include "raft/configuration.h"

#include <algorithm>
#include <charconv>

#include "raft/quorum.h"

namespace raftsim::raft {

namespace {

bool contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

void insert(std::vector<NodeId>& ids, NodeId id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) ids.insert(it, id);
}

void erase(std::vector<NodeId>& ids, NodeId id) {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it != ids.end() && *it == id) ids.erase(it);
}

// One half of a joint configuration; an empty half agrees to everything, so a simple
// configuration is a joint one whose outgoing half is empty.
VoteResult half_vote(const std::vector<NodeId>& half, const std::map<NodeId, bool>& votes) {
  if (half.empty()) return VoteResult::kWon;
  size_t granted = 0;
  size_t refused = 0;
  for (NodeId id : half) {
    auto it = votes.find(id);
    if (it == votes.end()) continue;
    (it->second ? granted : refused) += 1;
  }
  const size_t needed = majority(half.size());
  if (granted >= needed) return VoteResult::kWon;
  if (refused >= needed) return VoteResult::kLost;
  return VoteResult::kPending;
}

Index half_committed(const std::vector<NodeId>& half, const std::function<Index(NodeId)>& match) {
  if (half.empty()) return Index{UINT64_MAX};
  std::vector<Index> indices;
  indices.reserve(half.size());
  for (NodeId id : half)
    indices.push_back(match(id));
  return quorum_index(indices);
}

bool half_quorum(const std::vector<NodeId>& half, const std::function<bool(NodeId)>& yes) {
  const size_t count = static_cast<size_t>(std::count_if(half.begin(), half.end(), yes));
  return half.empty() || count >= majority(half.size());
}

void encode_ids(std::string& out, std::string_view name, const std::vector<NodeId>& ids) {
  if (!out.empty()) out += ' ';
  out += name;
  out += '=';
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i].value);
  }
}

// Parses "name=1,2,3" (possibly with no ids) into sorted ids; false on anything else.
bool decode_ids(std::string_view field, std::string_view name, std::vector<NodeId>& ids) {
  if (field.size() < name.size() + 1 || field.substr(0, name.size()) != name ||
      field[name.size()] != '=') {
    return false;
  }
  std::string_view rest = field.substr(name.size() + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view number = rest.substr(0, comma);
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || end != number.data() + number.size() || value == 0) return false;
    if (!ids.empty() && ids.back().value >= value) return false;  // sorted, no duplicates
    ids.push_back(NodeId{value});
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
    if (rest.empty()) return false;
  }
  return true;
}

}  // namespace

bool Configuration::is_voter(NodeId id) const {
  return contains(voters, id) || contains(outgoing, id);
}

bool Configuration::is_learner(NodeId id) const {
  return contains(learners, id);
}

std::vector<NodeId> Configuration::members() const {
  std::vector<NodeId> all = voters;
  for (NodeId id : outgoing)
    insert(all, id);
  for (NodeId id : learners)
    insert(all, id);
  return all;
}

VoteResult Configuration::vote_result(const std::map<NodeId, bool>& votes) const {
  const VoteResult in = half_vote(voters, votes);
  const VoteResult out = half_vote(outgoing, votes);
  if (in == VoteResult::kLost || out == VoteResult::kLost) return VoteResult::kLost;
  if (in == VoteResult::kWon && out == VoteResult::kWon) return VoteResult::kWon;
  return VoteResult::kPending;
}

Index Configuration::committed_index(const std::function<Index(NodeId)>& match) const {
  if (voters.empty()) return Index{};
  return std::min(half_committed(voters, match), half_committed(outgoing, match));
}

bool Configuration::has_quorum(const std::function<bool(NodeId)>& yes) const {
  return !voters.empty() && half_quorum(voters, yes) && half_quorum(outgoing, yes);
}

std::string Configuration::encode() const {
  std::string out;
  encode_ids(out, "voters", voters);
  encode_ids(out, "outgoing", outgoing);
  encode_ids(out, "learners", learners);
  return out;
}

std::optional<Configuration> Configuration::decode(std::string_view bytes) {
  Configuration c;
  const size_t a = bytes.find(' ');
  const size_t b = a == std::string_view::npos ? a : bytes.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  if (!decode_ids(bytes.substr(0, a), "voters", c.voters) ||
      !decode_ids(bytes.substr(a + 1, b - a - 1), "outgoing", c.outgoing) ||
      !decode_ids(bytes.substr(b + 1), "learners", c.learners)) {
    return std::nullopt;
  }
  if (c.voters.empty()) return std::nullopt;
  for (NodeId id : c.learners) {
    if (c.is_voter(id)) return std::nullopt;
  }
  return c;
}

std::string ConfChange::describe() const {
  std::string out(to_string(kind));
  if (kind == Kind::kReplace) {
    out += " voters";
    for (NodeId id : voters)
      out += " n" + std::to_string(id.value);
  } else {
    out += " n" + std::to_string(node.value);
  }
  return out;
}

std::string_view to_string(ConfChange::Kind kind) {
  switch (kind) {
    case ConfChange::Kind::kAddLearner:
      return "add-learner";
    case ConfChange::Kind::kPromote:
      return "promote";
    case ConfChange::Kind::kAddVoter:
      return "add";
    case ConfChange::Kind::kRemove:
      return "remove";
    case ConfChange::Kind::kReplace:
      return "replace";
  }
  return "?";
}

std::string_view to_string(ChangeRefusal refusal) {
  switch (refusal) {
    case ChangeRefusal::kNone:
      return "accepted";
    case ChangeRefusal::kNotLeader:
      return "not the leader";
    case ChangeRefusal::kTransferring:
      return "leadership transfer under way";
    case ChangeRefusal::kNoCommitInTerm:
      return "no entry of the leader's term committed yet";
    case ChangeRefusal::kChangePending:
      return "the previous change has not committed";
    case ChangeRefusal::kLearnerBehind:
      return "the learner has not caught up";
    case ChangeRefusal::kNewVoterBehind:
      return "the new voter is still catching up";
    case ChangeRefusal::kNoEffect:
      return "changes nothing";
    case ChangeRefusal::kInvalid:
      return "invalid";
  }
  return "?";
}

std::optional<ChangePlan> plan_change(const Configuration& from, const ConfChange& change,
                                      ChangeRefusal* refusal) {
  auto refuse = [&](ChangeRefusal why) -> std::optional<ChangePlan> {
    if (refusal) *refusal = why;
    return std::nullopt;
  };
  if (from.joint()) return refuse(ChangeRefusal::kChangePending);  // leave it first
  ChangePlan plan{from, true};
  Configuration& to = plan.target;
  const NodeId node = change.node;
  if (change.kind != ConfChange::Kind::kReplace && node.is_none()) {
    return refuse(ChangeRefusal::kInvalid);
  }
  switch (change.kind) {
    case ConfChange::Kind::kAddLearner:
      if (from.is_member(node)) return refuse(ChangeRefusal::kNoEffect);
      insert(to.learners, node);
      break;
    case ConfChange::Kind::kPromote:
      if (!from.is_learner(node)) return refuse(ChangeRefusal::kNoEffect);
      erase(to.learners, node);
      insert(to.voters, node);
      break;
    case ConfChange::Kind::kAddVoter:
      if (from.is_voter(node)) return refuse(ChangeRefusal::kNoEffect);
      erase(to.learners, node);
      insert(to.voters, node);
      break;
    case ConfChange::Kind::kRemove:
      if (!from.is_member(node)) return refuse(ChangeRefusal::kNoEffect);
      erase(to.learners, node);
      erase(to.voters, node);
      break;
    case ConfChange::Kind::kReplace: {
      std::vector<NodeId> voters = change.voters;
      std::sort(voters.begin(), voters.end());
      voters.erase(std::unique(voters.begin(), voters.end()), voters.end());
      if (voters.empty() || voters.front().is_none()) return refuse(ChangeRefusal::kInvalid);
      if (voters == from.voters) return refuse(ChangeRefusal::kNoEffect);
      to.voters = voters;
      for (NodeId id : voters)
        erase(to.learners, id);
      break;
    }
  }
  if (to.voters.empty()) return refuse(ChangeRefusal::kInvalid);
  plan.simple = is_single_step(from, to);
  if (refusal) *refusal = ChangeRefusal::kNone;
  return plan;
}

bool is_single_step(const Configuration& from, const Configuration& to) {
  if (from.joint() && to.joint()) return false;
  if (to.joint()) return !from.joint() && to.outgoing == from.voters;
  if (from.joint()) return to.voters == from.voters;
  // Simple to simple: the voter sets differ by at most one server.
  std::vector<NodeId> diff;
  std::set_symmetric_difference(from.voters.begin(), from.voters.end(), to.voters.begin(),
                                to.voters.end(), std::back_inserter(diff));
  return diff.size() <= 1;
}

}  // namespace raftsim::raft
