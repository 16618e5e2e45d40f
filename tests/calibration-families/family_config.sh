# Per-family settings shared by the calibration scripts (sourced). Sets, for FAMILY:
#   CHIP          simulator personality and espctl chip name
#   CFG           OpenOCD 0.12 target config
#   FLASH         flash size in bytes (the simulator's --flash-out size)
#   PRE_TCL       Tcl run before the target config (may be empty)
#   POST_TCL      Tcl run after it (may be empty)
#   UNIT          programming unit of OpenOCD's no-work-area path (bytes)
#   ERASE         erase unit holding each of the two firmware regions (bytes)
#   PAD_TO_ERASE  1 when OpenOCD pads each region to the end of its erase unit (stm32f2x)
#   WRP_LOG       what OpenOCD prints when sector/page 0 is write-protected
# H7: the model has one access port (AHB-AP 0); stm32h7x.cfg reaches the DBGMCU through AP2
# unless it takes its single-AP branch, so the calibration selects that branch (using_hla),
# restores SYSRESETREQ as the non-HLA branch would, and declares bank 2 (DUAL_BANK).
PRE_TCL= POST_TCL=
case $FAMILY in
l4) CHIP=stm32l476rg CFG=target/stm32l4x.cfg FLASH=1048576 UNIT=8 ERASE=2048 PAD_TO_ERASE=0
    WRP_LOG="failed erasing sectors 0 to 0" ;;
f7) CHIP=stm32f746zg CFG=target/stm32f7x.cfg FLASH=1048576 UNIT=2 ERASE=32768 PAD_TO_ERASE=1
    WRP_LOG="stm32x device protected" ;;
h7) CHIP=stm32h743zi CFG=target/stm32h7x.cfg FLASH=2097152 UNIT=32 ERASE=131072 PAD_TO_ERASE=0
    PRE_TCL='set DUAL_BANK 1
proc using_hla {} { return 1 }'
    POST_TCL='stm32h7x.cpu0 cortex_m reset_config sysresetreq'
    WRP_LOG="WRPERR" ;;
*) echo "unknown family '$FAMILY'" >&2; exit 2 ;;
esac
