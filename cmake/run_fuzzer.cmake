# Runs a libFuzzer binary for SECONDS over the SEEDS directory, writing new inputs only to SCRATCH.
# Usage: cmake -DFUZZER=bin -DSEEDS=dir -DSCRATCH=dir -DSECONDS=n -P run_fuzzer.cmake
file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH})
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048
                        -max_len=65536 -print_final_stats=1 ${SCRATCH} ${SEEDS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "fuzzer ${FUZZER} failed (exit ${rc}); the crashing input is in the working directory")
endif()
