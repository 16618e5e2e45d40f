// Calibration of `espctl-sim esp` by an independent implementation of the ROM protocol:
// Espressif's esptool-js drives the simulator over loopback TCP (a Web Serial SerialPort
// stand-in below), in ROM mode (no stub): connect + SYNC, chip detection, chip description,
// MAC, JEDEC id through the SPI registers, SPI attach, then writes FILE at ADDRESS with
// FLASH_DEFL_* (compress=1) or FLASH_* (compress=0) and checks the ROM-form MD5.
// usage: node esptool-js-flash.mjs PORT EXPECTED_CHIP_NAME FILE ADDRESS COMPRESS
import net from "node:net";
import crypto from "node:crypto";
import fs from "node:fs";
import { ESPLoader, Transport } from "esptool-js";

class TcpSerialPort {
  constructor(port) {
    this.port = port;
    this.readable = null;
    this.writable = null;
    this.sock = null;
  }
  async open() {
    const sock = net.connect(this.port, "127.0.0.1");
    await new Promise((resolve, reject) => {
      sock.once("connect", resolve);
      sock.once("error", reject);
    });
    sock.setNoDelay(true);
    this.sock = sock;
    this.readable = new ReadableStream({
      start(ctrl) {
        sock.on("data", (d) => ctrl.enqueue(new Uint8Array(d)));
        sock.on("close", () => { try { ctrl.close(); } catch { /* already closed */ } });
      },
    });
    this.writable = new WritableStream({
      write(chunk) { return new Promise((resolve) => sock.write(Buffer.from(chunk), resolve)); },
    });
  }
  async close() {
    if (this.sock) this.sock.destroy();
    this.sock = null;
    this.readable = null;
    this.writable = null;
  }
  async setSignals() { /* a TCP line has no DTR/RTS */ }
  getInfo() { return {}; }
}

function fail(msg) {
  console.error("calibration failed: " + msg);
  process.exit(1);
}

const [port, expectChip, file, addressText, compressText] = process.argv.slice(2);
if (!compressText) fail("usage: PORT CHIP FILE ADDRESS COMPRESS");
setTimeout(() => fail("timeout"), 120000).unref();

const data = new Uint8Array(fs.readFileSync(file));
const address = Number(addressText);
const terminal = { clean() {}, writeLine(l) { console.log(l); }, write(t) { process.stdout.write(t); } };
const transport = new Transport(new TcpSerialPort(Number(port)), false);
const loader = new ESPLoader({ transport, baudrate: 115200, romBaudrate: 115200, terminal });

try {
  await loader.detectChip("no_reset");
  if (loader.chip.CHIP_NAME !== expectChip) fail(`detected ${loader.chip.CHIP_NAME}, expected ${expectChip}`);
  console.log("description: " + (await loader.chip.getChipDescription(loader)));
  console.log("MAC: " + (await loader.chip.readMac(loader)));
  // ROM form of SPI_ATTACH: config word + 4 bytes (esptool-js only attaches after its stub).
  await loader.checkCommand("attach SPI flash", loader.ESP_SPI_ATTACH, new Uint8Array(8));
  const id = await loader.readFlashId();
  console.log("flash id: 0x" + id.toString(16));
  if ((id & 0xffffff) !== 0x1640ef) fail("unexpected JEDEC id 0x" + id.toString(16));
  await loader.writeFlash({
    fileArray: [{ data, address }],
    flashSize: "keep", flashMode: "keep", flashFreq: "keep",
    eraseAll: false, compress: compressText === "1",
  });
  // The ROM answers SPI_FLASH_MD5 with 32 ASCII hex digits. esptool-js 0.7.0 hex-encodes
  // those bytes once more in ROM mode (it only ever verifies through its stub), so undo that.
  const padded = new Uint8Array(Math.ceil(data.length / 4) * 4).fill(0xff);
  padded.set(data);
  const want = crypto.createHash("md5").update(padded).digest("hex");
  const reply = await loader.flashMd5sum(address, padded.length);
  const got = Buffer.from(reply, "hex").toString("latin1");
  console.log(`md5 file ${want} flash ${got}`);
  if (got !== want) fail("MD5 of file does not match data in flash");
  console.log("calibration ok");
  await transport.disconnect();
  process.exit(0);
} catch (e) {
  fail(e && e.message ? e.message : String(e));
}
