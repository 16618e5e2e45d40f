/* Vector table and reset handler: copy .data, zero .bss, run main. */
#include <stdint.h>

extern uint32_t _data_start[], _data_end[], _data_load[], _bss_start[], _bss_end[];
extern uint32_t _stack_top[];
int main(void);

void reset_handler(void);
static void fault_handler(void)
{
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    _stack_top,    reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, 0,             0,             0,             0,             fault_handler,
    fault_handler, 0,             fault_handler, fault_handler,
};

void reset_handler(void)
{
    const uint32_t *src = _data_load;
    for (uint32_t *dst = _data_start; dst < _data_end;)
        *dst++ = *src++;
    for (uint32_t *dst = _bss_start; dst < _bss_end;)
        *dst++ = 0;
    main();
    for (;;) {
    }
}
