/* A stand-in second-stage bootloader for the demo: a valid ESP image whose code parks the CPU.
 * It does not read the partition table or start the app (a real board needs ESP-IDF's
 * bootloader, which this repository does not ship); it exists so that the merged flash image
 * has a bootloader of the right format at the chip's bootloader offset. */
__attribute__((noreturn)) void boot_start(void)
{
    for (;;)
        __asm__ volatile("wfi");
}
