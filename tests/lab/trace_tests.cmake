# hairpin trace, live, in private namespaces hptest-trace-<pid>-* (not the seed lab).
# Needs root; skips (exit 77) with a message otherwise.
add_test(NAME trace_netns COMMAND ${CMAKE_CURRENT_LIST_DIR}/trace_netns_test.sh $<TARGET_FILE:hairpin>)
set_tests_properties(trace_netns PROPERTIES LABELS lab SKIP_RETURN_CODE 77 TIMEOUT 300)
