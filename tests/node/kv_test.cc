// The key-value state machine and the binary form of its commands.
#include "node/kv.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace raftsim::node {
namespace {

KvCommand cmd(uint64_t client, uint64_t seq, KvOp op, std::string key, std::string value = {},
              std::string expected = {}) {
  return {client, seq, op, std::move(key), std::move(value), std::move(expected)};
}

TEST(KvStore, MissingKeyReadsEmpty) {
  KvStore kv;
  EXPECT_EQ(kv.get("nope"), "");
  EXPECT_EQ(kv.apply(cmd(1, 1, KvOp::kGet, "nope")), (KvResult{true, ""}));
}

TEST(KvStore, PutAppendGet) {
  KvStore kv;
  kv.apply(cmd(1, 1, KvOp::kPut, "k", "a"));
  kv.apply(cmd(1, 2, KvOp::kAppend, "k", "b"));
  kv.apply(cmd(1, 3, KvOp::kAppend, "other", "x"));
  EXPECT_EQ(kv.apply(cmd(1, 4, KvOp::kGet, "k")), (KvResult{true, "ab"}));
  EXPECT_EQ(kv.get("other"), "x");
}

TEST(KvStore, CasSwapsOnlyOnMatch) {
  KvStore kv;
  kv.apply(cmd(1, 1, KvOp::kPut, "k", "a"));
  EXPECT_EQ(kv.apply(cmd(1, 2, KvOp::kCas, "k", "b", "zzz")), (KvResult{false, "a"}));
  EXPECT_EQ(kv.get("k"), "a");
  EXPECT_EQ(kv.apply(cmd(1, 3, KvOp::kCas, "k", "b", "a")), (KvResult{true, "a"}));
  EXPECT_EQ(kv.get("k"), "b");
  EXPECT_EQ(kv.apply(cmd(1, 4, KvOp::kCas, "missing", "v", "")), (KvResult{true, ""}))
      << "a missing key equals \"\"";
  EXPECT_EQ(kv.get("missing"), "v");
}

TEST(KvStore, RetriedRequestAppliesOnceAndReturnsTheFirstResult) {
  KvStore kv;
  kv.apply(cmd(1, 1, KvOp::kPut, "k", "a"));
  const KvResult first = kv.apply(cmd(2, 1, KvOp::kCas, "k", "b", "a"));
  EXPECT_EQ(first, (KvResult{true, "a"}));
  kv.apply(cmd(1, 2, KvOp::kAppend, "k", "c"));  // another client moves the value on
  EXPECT_EQ(kv.apply(cmd(2, 1, KvOp::kCas, "k", "b", "a")), first) << "retried, not re-run";
  EXPECT_EQ(kv.get("k"), "bc");
  kv.apply(cmd(3, 1, KvOp::kAppend, "k", "!"));
  kv.apply(cmd(3, 1, KvOp::kAppend, "k", "!"));
  EXPECT_EQ(kv.get("k"), "bc!") << "a duplicated append lands once";
}

RC_GTEST_PROP(KvCodec, EncodeDecodeRoundTrips, ()) {
  KvCommand c;
  c.client_id = *rc::gen::arbitrary<uint64_t>();
  c.seq = *rc::gen::arbitrary<uint64_t>();
  c.op = *rc::gen::element(KvOp::kGet, KvOp::kPut, KvOp::kAppend, KvOp::kCas);
  c.key = *rc::gen::arbitrary<std::string>();
  c.value = *rc::gen::arbitrary<std::string>();
  c.expected = *rc::gen::arbitrary<std::string>();
  const auto decoded = decode(encode(c));
  RC_ASSERT(decoded.has_value());
  // `expected` means something only to a cas, and only a cas carries it.
  if (c.op != KvOp::kCas) c.expected.clear();
  RC_ASSERT(*decoded == c);
}

RC_GTEST_PROP(KvCodec, TruncatedEncodingNeverDecodes, ()) {
  KvCommand c;
  c.client_id = *rc::gen::arbitrary<uint64_t>();
  c.seq = *rc::gen::arbitrary<uint64_t>();
  c.key = *rc::gen::arbitrary<std::string>();
  c.value = *rc::gen::arbitrary<std::string>();
  const std::string bytes = encode(c);
  const size_t cut = *rc::gen::inRange<size_t>(0, bytes.size());
  RC_ASSERT(!decode(std::string_view(bytes).substr(0, cut)).has_value());
}

RC_GTEST_PROP(KvCodec, GarbageNeverCrashesAndDecodesOnlyToItsOwnEncoding, ()) {
  const auto bytes = *rc::gen::arbitrary<std::string>();
  const auto decoded = decode(bytes);
  if (decoded) RC_ASSERT(decode(encode(*decoded)) == decoded);
}

TEST(KvCodec, RejectsUnknownOpTrailingBytesAndOverlongVarints) {
  KvCommand c = cmd(1, 2, KvOp::kPut, "k", "v");
  std::string bytes = encode(c);
  std::string bad_op = bytes;
  bad_op[0] = 9;
  EXPECT_FALSE(decode(bad_op));
  EXPECT_FALSE(decode(bytes + "x"));
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(decode(std::string(1, '\x01') + std::string(11, '\xff')));
  std::string huge_len = std::string(1, '\x01') + "\x01\x01" + "\xff\xff\xff\xff\x0f";
  EXPECT_FALSE(decode(huge_len)) << "a length past the end";
}

TEST(KvStore, SnapshotRestoresDataAndSessions) {
  KvStore store;
  store.apply({1, 1, KvOp::kPut, "a", "x", ""});
  store.apply({1, 2, KvOp::kAppend, "a", "y", ""});
  store.apply({2, 1, KvOp::kCas, "b", "z", "nope"});
  const std::optional<KvStore> copy = KvStore::restore(store.snapshot());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->data(), store.data());
  EXPECT_EQ(copy->snapshot(), store.snapshot());
  // A retry of an applied request answers as before and changes nothing: the sessions came too.
  KvStore restored = *copy;
  const KvResult retried = restored.apply({2, 1, KvOp::kCas, "b", "z", "nope"});
  EXPECT_FALSE(retried.ok);
  EXPECT_EQ(restored.apply({1, 2, KvOp::kAppend, "a", "y", ""}), KvResult{});
  EXPECT_EQ(restored.get("a"), "xy");
}

TEST(KvStore, RestoreRefusesBytesThatAreNotASnapshot) {
  KvStore store;
  store.apply({1, 1, KvOp::kPut, "key", "value", ""});
  const std::string bytes = store.snapshot();
  EXPECT_FALSE(KvStore::restore(""));
  EXPECT_FALSE(KvStore::restore("garbage"));
  EXPECT_FALSE(KvStore::restore(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(KvStore::restore(bytes + "x"));
  EXPECT_TRUE(KvStore::restore(bytes));
}

}  // namespace
}  // namespace raftsim::node
