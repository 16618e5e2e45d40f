/* A defmt-shaped firmware for the GNU toolchain: JSON-named symbols in .defmt input
 * sections, the version and encoding symbols, and an RTT control block in .data. */
    .syntax unified
    .section .defmt.info.1,"",%progbits
    .globl "{\"package\":\"fw\",\"tag\":\"defmt_info\",\"data\":\"hello {=u8} \\\"q\\\"\",\"disambiguator\":\"1\",\"crate_name\":\"fw\"}"
"{\"package\":\"fw\",\"tag\":\"defmt_info\",\"data\":\"hello {=u8} \\\"q\\\"\",\"disambiguator\":\"1\",\"crate_name\":\"fw\"}":
    .byte 0
    .section .defmt.prim.2,"",%progbits
    .globl "{\"package\":\"defmt\",\"tag\":\"defmt_prim\",\"data\":\"{=u32:#x}\",\"disambiguator\":\"2\",\"crate_name\":\"defmt\"}"
"{\"package\":\"defmt\",\"tag\":\"defmt_prim\",\"data\":\"{=u32:#x}\",\"disambiguator\":\"2\",\"crate_name\":\"defmt\"}":
    .byte 0
    .section .defmt.error.3,"",%progbits
    .globl "{\"package\":\"fw\",\"tag\":\"defmt_error\",\"data\":\"reg {}\",\"disambiguator\":\"3\",\"crate_name\":\"fw\"}"
"{\"package\":\"fw\",\"tag\":\"defmt_error\",\"data\":\"reg {}\",\"disambiguator\":\"3\",\"crate_name\":\"fw\"}":
    .byte 0
    .section .defmt.end,"",%progbits
    .globl "_defmt_version_ = 4"
"_defmt_version_ = 4":
    .byte 0
    .globl "_defmt_encoding_ = rzcobs"
"_defmt_encoding_ = rzcobs":
    .byte 0

    .data
    .globl _SEGGER_RTT
    .type _SEGGER_RTT, %object
    .size _SEGGER_RTT, 120
_SEGGER_RTT:
    .space 120

    .text
    .thumb
    .globl _start
    .type _start, %function
_start:
    b _start
