# hairpin verify on the lab (verifylab): each fault's diagnosis, the negative
# controls, the reports against their schemas, the ssh runner against sshd in the
# lab's namespaces. Root; each skips (77) with a message when not root. They
# share the lab: RESOURCE_LOCK, and run by hand under flock /tmp/hairpin-lab.lock.
# Like the other lab tests, the faults run once per NVA kind (HAIRPIN_LAB_NVA):
# lab.verify.builtin.fault.*, lab.verify.frr.fault.*; the rest on the default NVA.
function(hairpin_verify_lab_test name script)
  cmake_parse_arguments(T "" "NVA" "" ${ARGN})
  set(env "HAIRPIN=$<TARGET_FILE:hairpin>")
  set(test_name lab.verify.${name})
  if(T_NVA)
    list(APPEND env "HAIRPIN_LAB_NVA=${T_NVA}")
    set(test_name lab.verify.${T_NVA}.${name})
  endif()
  add_test(NAME ${test_name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${script} ${T_UNPARSED_ARGUMENTS})
  set_tests_properties(${test_name} PROPERTIES
    LABELS lab
    SKIP_RETURN_CODE 77
    RESOURCE_LOCK hairpin_lab
    TIMEOUT 300
    ENVIRONMENT "${env}")
endfunction()

# seed-verbatim: FAIL with lo-trap on FRR; PASS on the built-in NVA (no lo trap).
foreach(nva builtin frr)
  foreach(fault no-udr asymmetric-udr no-supernet nva-noforward ars0-down nva-down seed-verbatim)
    hairpin_verify_lab_test(fault.${fault} verify_faults_test.sh ${fault} NVA ${nva})
  endforeach()
endforeach()
hairpin_verify_lab_test(negative_controls verify_faults_controls_test.sh)
set_tests_properties(lab.verify.negative_controls PROPERTIES TIMEOUT 600)
hairpin_verify_lab_test(reports verify_reports_test.sh)
hairpin_verify_lab_test(ssh verify_ssh_test.sh)
# A topology that is not the seed, through the hand-written scenario and netns runners.
foreach(nva builtin frr)
  hairpin_verify_lab_test(unseen_topology verify_unseen_test.sh NVA ${nva})
endforeach()
