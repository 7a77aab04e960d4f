// Maelstrom's codec: what a node's line must be, what raftsim sends, how replies are read.
#include "external/maelstrom.h"

#include <gtest/gtest.h>

namespace raftsim::external {
namespace {

std::string error_of(std::string_view line) {
  auto r = decode(line);
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(MaelstromCodec, DecodesAnEnvelopeWithItsIds) {
  auto r = decode(
      R"({"src":"n1","dest":"c2","body":{"type":"read_ok","msg_id":7,"in_reply_to":3,"value":4}})");
  ASSERT_TRUE(std::holds_alternative<Envelope>(r));
  const Envelope& m = std::get<Envelope>(r);
  EXPECT_EQ(m.src, "n1");
  EXPECT_EQ(m.dest, "c2");
  EXPECT_EQ(m.type(), "read_ok");
  EXPECT_EQ(m.msg_id(), 7u);
  EXPECT_EQ(m.in_reply_to(), 3u);
}

TEST(MaelstromCodec, EncodeThenDecodeIsTheSameMessage) {
  const Envelope m{"c1", "n3", kv_request_body(KvRequestKind::kCas, 9, "k1", "new", "old")};
  const std::string line = encode(m);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = decode(line);
  ASSERT_TRUE(std::holds_alternative<Envelope>(back));
  EXPECT_EQ(std::get<Envelope>(back).body, m.body);
  EXPECT_EQ(m.body["from"], "old");
  EXPECT_EQ(m.body["to"], "new");
}

TEST(MaelstromCodec, RejectsMalformedLinesSayingWhy) {
  EXPECT_EQ(error_of("hello"), "not JSON");
  EXPECT_EQ(error_of(""), "not JSON");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2","body":{"type":"x"})"), "not JSON");  // cut short
  EXPECT_EQ(error_of("[1,2]"), "a JSON array, not an object");
  EXPECT_EQ(error_of(R"({"dest":"n2","body":{"type":"x"}})"), "no 'src'");
  EXPECT_EQ(error_of(R"({"src":1,"dest":"n2","body":{"type":"x"}})"),
            "'src' is a number, not a string");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2"})"), "no 'body'");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2","body":"x"})"),
            "'body' is a string, not an object");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2","body":{}})"), "no 'body.type'");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2","body":{"type":3}})"),
            "'body.type' is a number, not a string");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2","body":{"type":"x","msg_id":-1}})"),
            "body.msg_id is -1, not a non-negative integer");
  EXPECT_EQ(error_of(R"({"src":"n1","dest":"n2","body":{"type":"x","in_reply_to":"3"}})"),
            "body.in_reply_to is \"3\", not a non-negative integer");
}

TEST(MaelstromCodec, EscapesBytesForReports) {
  EXPECT_EQ(escape_bytes("a\"b\\c\n\x01\xff"), R"("a\"b\\c\n\x01\xff")");
  EXPECT_EQ(escape_bytes("abcdef", 3), R"("abc"... (6 bytes))");
}

TEST(MaelstromCodec, DefiniteAndIndefiniteErrorsAsMaelstromDefinesThem) {
  for (int c : {1, 10, 11, 12, 14, 20, 21, 22, 30})
    EXPECT_TRUE(is_definite(c)) << c;
  for (int c : {0, 13, 1000, 1234, 2, 99})
    EXPECT_FALSE(is_definite(c)) << c;
  EXPECT_EQ(error_name(11), "temporarily-unavailable");
  EXPECT_EQ(error_name(1000), "");
}

TEST(MaelstromCodec, ReadsLinKvReplies) {
  auto read = [](const char* body, KvRequestKind kind) {
    return read_kv_reply(Json::parse(body), kind);
  };
  auto ok = std::get<KvReply>(read(R"({"type":"read_ok","value":"v1"})", KvRequestKind::kRead));
  EXPECT_EQ(ok.kind, KvReply::Kind::kOk);
  EXPECT_EQ(ok.value, "v1");
  EXPECT_EQ(std::get<KvReply>(read(R"({"type":"read_ok","value":4})", KvRequestKind::kRead)).value,
            "4");
  auto definite =
      std::get<KvReply>(read(R"({"type":"error","code":22,"text":"no"})", KvRequestKind::kCas));
  EXPECT_EQ(definite.kind, KvReply::Kind::kDefiniteError);
  EXPECT_EQ(definite.error_code, 22);
  EXPECT_EQ(std::get<KvReply>(read(R"({"type":"error","code":1001})", KvRequestKind::kWrite)).kind,
            KvReply::Kind::kUnknownOutcome);
  EXPECT_EQ(std::get<std::string>(read(R"({"type":"write_ok"})", KvRequestKind::kCas)),
            "'write_ok' in reply to a cas");
  EXPECT_EQ(std::get<std::string>(read(R"({"type":"read_ok"})", KvRequestKind::kRead)),
            "read_ok without 'value'");
  EXPECT_EQ(std::get<std::string>(read(R"({"type":"error","code":"x"})", KvRequestKind::kRead)),
            "an error without an integer 'code'");
}

TEST(MaelstromCodec, InitCarriesTheExtensionAndInitOkItsFeatures) {
  const Json init = init_body(5, "n2", {"n1", "n2"}, Json{{"data_dir", "/d"}});
  EXPECT_EQ(init["type"], "init");
  EXPECT_EQ(init["node_id"], "n2");
  EXPECT_EQ(init["raftsim"]["data_dir"], "/d");
  auto plain = read_init_ok(Json::parse(R"({"type":"init_ok","in_reply_to":5})"), 5);
  ASSERT_TRUE(std::holds_alternative<Features>(plain));
  EXPECT_FALSE(std::get<Features>(plain).state_reports);
  auto rich = read_init_ok(
      Json::parse(
          R"({"type":"init_ok","in_reply_to":5,"raftsim":{"state_reports":true,"campaign":true}})"),
      5);
  EXPECT_TRUE(std::get<Features>(rich).state_reports);
  EXPECT_TRUE(std::get<Features>(rich).campaign);
  EXPECT_EQ(
      std::get<std::string>(read_init_ok(Json::parse(R"({"type":"init_ok","in_reply_to":4})"), 5)),
      "init_ok's in_reply_to is not 5 (init's msg_id)");
  EXPECT_EQ(std::get<std::string>(read_init_ok(
                Json::parse(R"({"type":"init_ok","in_reply_to":5,"raftsim":{"campaign":1}})"), 5)),
            "init_ok's raftsim.campaign is not true or false");
}

TEST(MaelstromCodec, ReadsStateReports) {
  auto good = read_state_report(Json::parse(
      R"({"type":"raftsim_state","role":"leader","term":3,"voted_for":null,"commit_index":7,"last_log_index":9,"last_log_term":3})"));
  ASSERT_TRUE(std::holds_alternative<StateReport>(good));
  EXPECT_EQ(std::get<StateReport>(good).term, 3u);
  EXPECT_EQ(std::get<StateReport>(good).voted_for, "");
  auto bad_role = read_state_report(Json::parse(
      R"({"type":"raftsim_state","role":"king","term":3,"voted_for":"n1","commit_index":7,"last_log_index":9,"last_log_term":3})"));
  EXPECT_EQ(std::get<std::string>(bad_role),
            "raftsim_state's role 'king' is not leader, candidate or follower");
  auto no_term = read_state_report(Json::parse(R"({"type":"raftsim_state","role":"leader"})"));
  EXPECT_TRUE(std::holds_alternative<std::string>(no_term));
}

// init_ok's raftsim.message_kinds: which of the node's types are which of Raft's kinds.
Features features_of(const std::string& kinds) {
  auto r =
      read_init_ok(Json::parse(R"({"type":"init_ok","in_reply_to":1,"raftsim":{"message_kinds":)" +
                               kinds + "}}"),
                   1);
  EXPECT_TRUE(std::holds_alternative<Features>(r)) << std::get<std::string>(r);
  return std::holds_alternative<Features>(r) ? std::get<Features>(r) : Features{};
}

std::string kinds_error(const std::string& kinds) {
  auto r =
      read_init_ok(Json::parse(R"({"type":"init_ok","in_reply_to":1,"raftsim":{"message_kinds":)" +
                               kinds + "}}"),
                   1);
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(MessageKinds, TransferIsAFeatureOfItsOwn) {
  auto r = read_init_ok(
      Json::parse(R"({"type":"init_ok","in_reply_to":1,"raftsim":{"transfer":true}})"), 1);
  ASSERT_TRUE(std::holds_alternative<Features>(r));
  EXPECT_TRUE(std::get<Features>(r).transfer);
  EXPECT_FALSE(std::get<Features>(r).campaign);
  EXPECT_EQ(std::get<std::string>(read_init_ok(
                Json::parse(R"({"type":"init_ok","in_reply_to":1,"raftsim":{"transfer":1}})"), 1)),
            "init_ok's raftsim.transfer is not true or false");
}

TEST(MessageKinds, ANodeThatDeclaresNoneHasAnEmptyMap) {
  auto r = read_init_ok(Json::parse(R"({"type":"init_ok","in_reply_to":1})"), 1);
  ASSERT_TRUE(std::holds_alternative<Features>(r));
  EXPECT_TRUE(std::get<Features>(r).message_kinds.empty());
  EXPECT_EQ(std::get<Features>(r).message_kinds.kind_of(Json{{"type", "request_vote"}}),
            std::nullopt);
}

TEST(MessageKinds, TellsEachDeclaredTypeItsKind) {
  const Features f =
      features_of(R"({"vote_request":"rv","vote_response":["rv_ok","rv_no"],"timeout_now":"tn"})");
  const MessageKindMap& m = f.message_kinds;
  EXPECT_EQ(m.kind_of(Json{{"type", "rv"}}), sim::MessageKind::kVoteRequest);
  EXPECT_EQ(m.kind_of(Json{{"type", "rv_ok"}}), sim::MessageKind::kVoteResponse);
  EXPECT_EQ(m.kind_of(Json{{"type", "rv_no"}}), sim::MessageKind::kVoteResponse);
  EXPECT_EQ(m.kind_of(Json{{"type", "tn"}}), sim::MessageKind::kTimeoutNow);
  EXPECT_EQ(m.kind_of(Json{{"type", "gossip"}}), std::nullopt);
  EXPECT_EQ(m.declared(), sim::bit(sim::MessageKind::kVoteRequest) |
                              sim::bit(sim::MessageKind::kVoteResponse) |
                              sim::bit(sim::MessageKind::kTimeoutNow));
}

TEST(MessageKinds, OneTypeForAppendAndHeartbeatIsToldApartByItsEntries) {
  const MessageKindMap m =
      features_of(R"({"append":"ae","heartbeat":"ae","append_response":"ae_res"})").message_kinds;
  EXPECT_EQ(m.kind_of(Json::parse(R"({"type":"ae","entries":[{"term":1}]})")),
            sim::MessageKind::kAppend);
  EXPECT_EQ(m.kind_of(Json::parse(R"({"type":"ae","entries":[]})")), sim::MessageKind::kHeartbeat);
  EXPECT_EQ(m.kind_of(Json::parse(R"({"type":"ae"})")), sim::MessageKind::kHeartbeat);
  EXPECT_EQ(m.kind_of(Json::parse(R"({"type":"ae_res","entries":[1]})")),
            sim::MessageKind::kAppendResponse);
}

TEST(MessageKinds, ABadDeclarationSaysWhy) {
  EXPECT_EQ(kinds_error(R"(["rv"])"), "init_ok's raftsim.message_kinds: not an object");
  EXPECT_EQ(kinds_error(R"({"vote":"rv"})"),
            "init_ok's raftsim.message_kinds: 'vote' is not one of Raft's kinds of message "
            "(vote_request, vote_response, pre_vote_request, pre_vote_response, append, "
            "append_response, heartbeat, snapshot, timeout_now)");
  EXPECT_EQ(kinds_error(R"({"vote_request":3})"),
            "init_ok's raftsim.message_kinds: 'vote_request' is not a type name or a list of them");
  EXPECT_EQ(kinds_error(R"({"vote_request":[]})"),
            "init_ok's raftsim.message_kinds: 'vote_request' names no type");
  EXPECT_EQ(kinds_error(R"({"vote_request":"m","vote_response":"m"})"),
            "init_ok's raftsim.message_kinds: type 'm' is declared for two kinds (only append "
            "and heartbeat may share one)");
}

}  // namespace
}  // namespace raftsim::external
