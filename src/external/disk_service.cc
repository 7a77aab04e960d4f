#include "external/disk_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace raftsim::external {

std::variant<Json, std::string> DiskService::serve(const Json& request) {
  const std::string type = request.at("type").get<std::string>();
  auto id = request.find("msg_id");
  if (id == request.end() || !id->is_number_unsigned())
    return fmt::format("{} without an integer msg_id", type);
  Json reply{{"in_reply_to", *id}};
  if (type == "disk_write") {
    auto name = request.find("name");
    auto value = request.find("value");
    if (name == request.end() || !name->is_string())
      return std::string("disk_write without a string 'name'");
    if (value == request.end() || !(value->is_string() || value->is_null()))
      return std::string("disk_write's 'value' is not a string or null");
    const std::string key = name->get<std::string>();
    std::optional<std::string> v;
    if (value->is_string()) v = value->get<std::string>();
    if (v) {
      if (!born_.contains(key)) born_[key] = ++births_;
      written_[key] = *v;
    } else {
      written_.erase(key);
    }
    last_unsynced_ = {key, v};
    reply["type"] = "disk_write_ok";
    return reply;
  }
  if (type == "disk_sync") {
    ++syncs_;
    if (!fsync_lies_) {
      synced_ = written_;
      last_unsynced_.reset();
    }
    reply["type"] = "disk_sync_ok";
    return reply;
  }
  if (type == "disk_read") {
    reply["type"] = "disk_read_ok";
    reply["records"] = Json::object();
    Json corrupt = Json::array();
    for (const auto& [name, value] : written_) {
      reply["records"][name] = value;
      auto damaged = damaged_.find(name);
      if (damaged != damaged_.end() && damaged->second == value) corrupt.push_back(name);
    }
    if (!corrupt.empty()) reply["corrupt"] = std::move(corrupt);
    return reply;
  }
  return fmt::format("an unknown message to raftsim: '{}'", type);
}

void DiskService::crash() {
  std::map<std::string, std::string> kept = synced_;
  if (torn_armed_ && last_unsynced_ && last_unsynced_->second) {
    const std::string& v = *last_unsynced_->second;
    kept[last_unsynced_->first] = v.substr(0, v.size() / 2);
    torn_armed_ = false;
  }
  written_ = kept;
  synced_ = std::move(kept);
  last_unsynced_.reset();
}

std::string DiskService::corrupt(uint64_t record) {
  std::vector<std::pair<uint64_t, std::string>> order;
  for (const auto& [name, value] : synced_)
    if (!value.empty()) order.emplace_back(born_.count(name) ? born_.at(name) : 0, name);
  if (order.empty()) return "no durable record to corrupt";
  std::sort(order.begin(), order.end());
  if (record > order.size()) {
    return fmt::format("no durable record {} to corrupt (the disk holds {}): nothing changed",
                       record, order.size());
  }
  if (record == 0) record = order.size();
  const std::string& name = order[record - 1].second;
  std::string& bytes = synced_[name];
  // The ASCII byte nearest the middle, so the damaged record is still valid UTF-8 on the wire.
  size_t at = bytes.size();
  for (size_t d = 0; d <= bytes.size() && at == bytes.size(); ++d)
    for (size_t i : {bytes.size() / 2 - std::min(d, bytes.size() / 2), bytes.size() / 2 + d})
      if (i < bytes.size() && static_cast<unsigned char>(bytes[i]) < 0x80) {
        at = i;
        break;
      }
  if (at == bytes.size()) return fmt::format("record '{}' has no ASCII byte to flip", name);
  const bool unchanged = written_.count(name) && written_[name] == bytes;
  bytes[at] = static_cast<char>(bytes[at] ^ 1);
  if (unchanged) written_[name] = bytes;
  damaged_[name] = bytes;
  return fmt::format("flipped a bit in record '{}' (byte {} of {})", name, at, bytes.size());
}

void DiskService::wipe() {
  damaged_.clear();
  written_.clear();
  synced_.clear();
  last_unsynced_.reset();
  torn_armed_ = false;
}

}  // namespace raftsim::external
