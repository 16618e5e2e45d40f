/* Firmware image for the RTT defmt case: an RTT control block symbol in RAM and a defmt
 * string table (JSON-named symbols in non-loaded .defmt sections, version 4, rzcobs).
 * Index 1 is an info-level "temp {=u8} C"; index 2 a warn-level "{=u16} left". */
    .syntax unified
    .section .defmt.info.1,"",%progbits
    .globl "{\"package\":\"rtt-e2e\",\"tag\":\"defmt_info\",\"data\":\"temp {=u8} C\",\"disambiguator\":\"11\",\"crate_name\":\"rtt_e2e\"}"
"{\"package\":\"rtt-e2e\",\"tag\":\"defmt_info\",\"data\":\"temp {=u8} C\",\"disambiguator\":\"11\",\"crate_name\":\"rtt_e2e\"}":
    .byte 0
    .section .defmt.warn.2,"",%progbits
    .globl "{\"package\":\"rtt-e2e\",\"tag\":\"defmt_warn\",\"data\":\"{=u16} left\",\"disambiguator\":\"12\",\"crate_name\":\"rtt_e2e\"}"
"{\"package\":\"rtt-e2e\",\"tag\":\"defmt_warn\",\"data\":\"{=u16} left\",\"disambiguator\":\"12\",\"crate_name\":\"rtt_e2e\"}":
    .byte 0
    .section .defmt.end,"",%progbits
    .globl "_defmt_version_ = 4"
"_defmt_version_ = 4":
    .byte 0
    .globl "_defmt_encoding_ = rzcobs"
"_defmt_encoding_ = rzcobs":
    .byte 0

    .bss
    .globl _SEGGER_RTT
    .type _SEGGER_RTT, %object
    .size _SEGGER_RTT, 72
_SEGGER_RTT:
    .space 72

    .text
    .thumb
    .globl reset
    .type reset, %function
reset:
    b reset
