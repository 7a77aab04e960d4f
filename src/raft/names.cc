// The names of the core's enumerations, as traces, reports and narration print them.
#include "raft/raft.h"

namespace raftsim::raft {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kFollower:
      return "follower";
    case Role::kPreCandidate:
      return "pre-candidate";
    case Role::kCandidate:
      return "candidate";
    case Role::kLeader:
      return "leader";
  }
  return "?";
}

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kVoteRequest:
      return "VoteRequest";
    case MessageType::kVoteResponse:
      return "VoteResponse";
    case MessageType::kPreVoteRequest:
      return "PreVoteRequest";
    case MessageType::kPreVoteResponse:
      return "PreVoteResponse";
    case MessageType::kAppendEntries:
      return "AppendEntries";
    case MessageType::kAppendResponse:
      return "AppendResponse";
    case MessageType::kTimeoutNow:
      return "TimeoutNow";
    case MessageType::kInstallSnapshot:
      return "InstallSnapshot";
  }
  return "?";
}

std::string_view to_string(Rejection rejection) {
  switch (rejection) {
    case Rejection::kUnknownSender:
      return "unknown sender";
    case Rejection::kWrongRecipient:
      return "wrong recipient";
    case Rejection::kZeroTerm:
      return "term 0";
    case Rejection::kImpossibleLog:
      return "impossible log position";
    case Rejection::kBrokenEntries:
      return "broken entries";
    case Rejection::kOutOfRange:
      return "term or index out of range";
    case Rejection::kCount:
      break;
  }
  return "?";
}

}  // namespace raftsim::raft
