#pragma once
// Trace output: Ethr's `-t tr` / `-t mtr` text to the byte, and hairpin's JSON.
//
// In:  a TraceResult (trace_result.hpp).
// Out: text lines or a JSON document (schema "hairpin.trace/1", docs/trace.md).
// Pure. The Ethr strings follow Ethr v1.0.0 (client.go tcpDiscoverHops,
// clientui.go printTestResult, utils.go durationToString), the version in the seed.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hairpin/probes/trace_result.hpp"

namespace hairpin::probes {

// Ethr's durationToString: 3 decimals in ns/us/ms/s below one minute ("92.622ms").
std::string ethr_duration(std::int64_t ns);

// " 1.|--10.0.200.12 []                ...   92.622ms" / " 3.|--???"
std::string ethr_hop_line(int ttl, const std::optional<std::string>& address, const std::string& name,
                          std::optional<std::int64_t> rtt_ns, const std::string& marker = "");

// "Using destination: ..." and "Tracing route to ... over N hops:".
std::string ethr_header(const TraceResult& result);

// Whole text output for tr mode (header, hops, and Ethr's two lines when the
// target did not answer) and mtr mode (header, discovered hops, statistics table).
std::string format_text(const TraceResult& result);

nlohmann::json format_json(const TraceResult& result);

}  // namespace hairpin::probes
