// Hostile module shapes, generated here (no checked-in blobs): validation rejects each
// with a message naming the limit, before anything builds a tree from the bytes, and
// never crashes.
#include "runtime/module_limits.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/validator.h"

namespace wa::runtime {
namespace {

using Bytes = std::vector<uint8_t>;

void put_leb(Bytes& out, uint64_t value) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    out.push_back(value ? byte | 0x80 : byte);
  } while (value);
}

void put_section(Bytes& module, uint8_t id, const Bytes& payload) {
  module.push_back(id);
  put_leb(module, payload.size());
  module.insert(module.end(), payload.begin(), payload.end());
}

// A module with one function of type () -> (), exported as _start, whose body
// (local declarations and code, without the size prefix) is `body`.
Bytes module_with_body(const Bytes& body, const Bytes& memory_section = {}) {
  Bytes module = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
  put_section(module, 1, {0x01, 0x60, 0x00, 0x00});  // type 0: () -> ()
  put_section(module, 3, {0x01, 0x00});              // function 0: type 0
  if (!memory_section.empty()) put_section(module, 5, memory_section);
  put_section(module, 7, {0x01, 0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00});
  Bytes code = {0x01};  // one body
  put_leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  put_section(module, 10, code);
  return module;
}

// `depth` nested `block ... end`: 3 bytes a level (400,000 levels: 1.2 MB).
Bytes nested_blocks(uint32_t depth) {
  Bytes body = {0x00};  // no locals
  for (uint32_t i = 0; i < depth; ++i) body.insert(body.end(), {0x02, 0x40});
  body.insert(body.end(), depth + 1, 0x0b);
  return module_with_body(body);
}

Bytes with_locals(uint32_t count) {
  Bytes body = {0x01};  // one declaration: `count` i32s
  put_leb(body, count);
  body.push_back(0x7f);
  body.push_back(0x0b);
  return module_with_body(body);
}

// block; i32.const 0; br_table with `targets` entries, all to depth 0; end
Bytes with_br_table(uint32_t targets) {
  Bytes body = {0x00, 0x02, 0x40, 0x41, 0x00, 0x0e};
  put_leb(body, targets);
  body.insert(body.end(), targets + 1, 0x00);  // the targets and the default
  body.insert(body.end(), {0x0b, 0x0b});
  return module_with_body(body);
}

Bytes with_memories(uint32_t count) {
  Bytes section;
  put_leb(section, count);
  for (uint32_t i = 0; i < count; ++i) section.insert(section.end(), {0x00, 0x01});
  return module_with_body({0x00, 0x0b}, section);
}

// Runs `work` on a thread with a stack of exactly `bytes`, like a server thread would.
void run_on_stack(size_t bytes, const std::function<void()>& work) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&work)),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

void expect_rejected(const Bytes& module, const std::string& mentions) {
  auto result = validate_module(module);
  ASSERT_FALSE(result.ok()) << "accepted; expected a rejection mentioning " << mentions;
  EXPECT_EQ(result.error().kind, "invalid_module");
  EXPECT_NE(result.error().message.find(mentions), std::string::npos) << result.error().message;
}

// 400,000 nested blocks (1.2 MB) crashed the server in validation: wabt's IR frees
// nested blocks recursively and overflowed the stack.
TEST(ModuleLimits, DeeplyNestedBlocksAreRejectedNotACrash) {
  expect_rejected(nested_blocks(400'000), "more than 20000 nested blocks in function 0");
  // Garbage after the nesting: the IR reader used to build the whole deep tree before
  // failing on it, then crash freeing it. The depth is what gets reported.
  Bytes garbage = nested_blocks(400'000);
  garbage[garbage.size() - 400'001] = 0xff;  // the first `end`: not an opcode
  expect_rejected(garbage, "nested blocks");
}

// The bound is what keeps validation stack-safe: at the limit it needs well under
// 2 MiB of stack (server threads have 8 MiB).
TEST(ModuleLimits, NestingAtTheLimitValidatesOnATwoMebibyteStack) {
  run_on_stack(2 << 20, [] {
    auto at_limit = validate_module(nested_blocks(ModuleLimits{}.max_nesting_depth));
    EXPECT_TRUE(at_limit.ok()) << at_limit.error().message;
    auto over = validate_module(nested_blocks(ModuleLimits{}.max_nesting_depth + 1));
    ASSERT_FALSE(over.ok());
    EXPECT_NE(over.error().message.find("nested blocks"), std::string::npos);
  });
}

TEST(ModuleLimits, AFunctionWithMoreThanFiftyThousandLocalsIsRejected) {
  EXPECT_TRUE(validate_module(with_locals(50'000)).ok());
  expect_rejected(with_locals(50'001), "more than 50000 locals in function 0");
  expect_rejected(with_locals(5'000'000), "locals");  // 93 MB of C once (issue 9)
}

TEST(ModuleLimits, HugeBrTablesAreRejected) {
  EXPECT_TRUE(validate_module(with_br_table(1'000)).ok());
  expect_rejected(with_br_table(100'001), "more than 100000 br_table targets in function 0");
}

TEST(ModuleLimits, MoreMemoriesThanTheFaultHandlerTracksAreRejected) {
  expect_rejected(with_memories(5), "more than 4 memories");
  // Fewer, but still more than one: multi-memory is unsupported (named).
  auto two = validate_module(with_memories(2));
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("multiple memories"), std::string::npos)
      << two.error().message;
}

TEST(ModuleLimits, TooManyFunctionsAreRejectedAtTheCount) {
  // 1,000,001 functions of type 0 (1 MB): rejected at the count, before wabt's IR
  // holds an object for each.
  Bytes module = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00};
  put_section(module, 1, {0x01, 0x60, 0x00, 0x00});
  Bytes functions;
  put_leb(functions, 1'000'001);
  functions.insert(functions.end(), 1'000'001, 0x00);
  put_section(module, 3, functions);
  expect_rejected(module, "more than 1000000 functions");
}

TEST(ModuleLimits, OversizedFunctionBodiesAndInstructionCountsAreRejected) {
  Bytes body = {0x00};
  body.insert(body.end(), 7'654'321, 0x01);  // nops
  body.push_back(0x0b);
  expect_rejected(module_with_body(body), "bytes in the body of function 0");

  ModuleLimits small;
  small.max_instructions = 1'000;
  Bytes nops = {0x00};
  nops.insert(nops.end(), 2'000, 0x01);
  nops.push_back(0x0b);
  auto status = check_module_limits(module_with_body(nops), small);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("more than 1000 instructions"), std::string::npos)
      << status.error().message;
}

TEST(ModuleLimits, MalformedBytesAreLeftToTheValidatorsMessage) {
  Bytes module = nested_blocks(10);
  module.resize(module.size() - 3);
  EXPECT_TRUE(check_module_limits(module).ok());
  auto result = validate_module(module);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, "invalid_module");
}

// Found by fuzz_validator: wabt 1.0.32 asserts (aborting the server) while validating
// this call_ref with typed function references enabled, which the proposal probe once
// did. It must be a plain rejection that names the proposal.
TEST(ModuleLimits, ACallRefThatTripsWabtsValidatorIsRejectedNotAnAbort) {
  const Bytes module = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x10, 0x03, 0x60, 0x03, 0x7f,
      0x7e, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x02, 0x29,
      0x01, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73, 0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f,
      0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31, 0x0e, 0x63, 0x6c, 0x6f,
      0x63, 0x6b, 0x5f, 0x74, 0x69, 0x6d, 0x65, 0x5f, 0x67, 0x65, 0x74, 0x00, 0x00, 0x03,
      0x03, 0x02, 0x01, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 0x5f,
      0x6e, 0x74, 0x61, 0x72, 0x74, 0x00, 0x02, 0x0a, 0x1f, 0x02, 0x15, 0x00, 0x28, 0x00,
      0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x01, 0x6a, 0x10, 0x01,
      0x41, 0x7f, 0x60, 0x0b, 0x07, 0x00, 0x3b, 0x00, 0x10, 0x01, 0x1a, 0x0b};
  auto result = validate_module(module);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("typed function references"), std::string::npos)
      << result.error().message;
}

}  // namespace
}  // namespace wa::runtime
