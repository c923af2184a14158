# hairpin verify on the lab (verifylab): each fault's diagnosis, the negative
# controls, the reports against their schemas, the ssh runner against sshd in the
# lab's namespaces. Root; each skips (77) with a message when not root. They
# share the lab: RESOURCE_LOCK, and run by hand under flock /tmp/hairpin-lab.lock.
function(hairpin_verify_lab_test name script)
  add_test(NAME lab.verify.${name} COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${script} ${ARGN})
  set_tests_properties(lab.verify.${name} PROPERTIES
    LABELS lab
    SKIP_RETURN_CODE 77
    RESOURCE_LOCK hairpin_lab
    TIMEOUT 300
    ENVIRONMENT "HAIRPIN=$<TARGET_FILE:hairpin>")
endfunction()

foreach(fault no-udr asymmetric-udr no-supernet nva-noforward ars0-down nva-down seed-verbatim)
  hairpin_verify_lab_test(fault.${fault} verify_faults_test.sh ${fault})
endforeach()
# The lo trap is FRR's: the built-in NVA runs the seed's config verbatim and passes.
hairpin_verify_lab_test(fault.seed-verbatim-builtin verify_faults_test.sh seed-verbatim builtin)
hairpin_verify_lab_test(negative_controls verify_faults_controls_test.sh)
set_tests_properties(lab.verify.negative_controls PROPERTIES TIMEOUT 600)
hairpin_verify_lab_test(reports verify_reports_test.sh)
hairpin_verify_lab_test(ssh verify_ssh_test.sh)
