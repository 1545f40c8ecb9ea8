import { describe, expect, it } from "vitest";
import {
  analyseCatalinaOpts,
  defaultCatalinaOpts,
  describeMemoryNeed,
  formatJvmSize,
  jvmOverheadMiB,
  parseCatalinaOpts,
  parseJvmSize,
  suggestCatalinaOpts,
} from "../../src/domain/jvm.js";

const SEED_OPTS =
  "-Djava.awt.headless=true -Dfile.encoding=UTF-8 -server -Xms4g -Xmx10g -XX:NewSize=2048m -XX:MaxNewSize=2048m " +
  "-XX:PermSize=2048m -XX:MaxPermSize=2048m -XX:+DisableExplicitGC";

const MEMORY_OPTION = /^-(?:Xm[xs]|Xss|XX:(?:Max)?(?:Perm|New|Metaspace)Size=)/;

function nonMemoryTokens(opts: string): string[] {
  return opts.split(/\s+/).filter((token) => token !== "" && !MEMORY_OPTION.test(token));
}

describe("parseJvmSize", () => {
  it.each([
    ["10g", 10240],
    ["10G", 10240],
    ["2048m", 2048],
    ["2048M", 2048],
    ["512k", 0.5],
    ["1048576K", 1024],
    ["1073741824", 1024],
    ["1t", 1024 * 1024],
  ])("%s is %d MiB", (size, mib) => {
    expect(parseJvmSize(size)).toBe(mib);
  });

  it.each(["", "10gb", "1.5g", "-1g", "g", "10 g", "ten"])("rejects %j", (size) => {
    expect(parseJvmSize(size)).toBeUndefined();
  });
});

describe("formatJvmSize", () => {
  it("uses g for whole gibibytes and m otherwise", () => {
    expect(formatJvmSize(8192)).toBe("8g");
    expect(formatJvmSize(7424)).toBe("7424m");
    expect(formatJvmSize(1536.7)).toBe("1536m");
  });
});

describe("jvmOverheadMiB", () => {
  it("is 10% of the heap but at least 512 MiB", () => {
    expect(jvmOverheadMiB(1024)).toBe(512);
    expect(jvmOverheadMiB(5120)).toBe(512);
    expect(jvmOverheadMiB(10240)).toBe(1024);
  });
});

describe("parseCatalinaOpts", () => {
  it("reads every memory option of the seed", () => {
    expect(parseCatalinaOpts(SEED_OPTS)).toEqual({
      options: {
        heapInitialMiB: 4096,
        heapMaxMiB: 10240,
        newSizeMiB: 2048,
        maxNewSizeMiB: 2048,
        permSizeMiB: 2048,
        maxPermSizeMiB: 2048,
      },
      problems: [],
    });
  });

  it("reads -Xss and MaxMetaspaceSize", () => {
    expect(parseCatalinaOpts("-Xss512k -XX:MaxMetaspaceSize=512m").options).toEqual({
      threadStackMiB: 0.5,
      maxMetaspaceSizeMiB: 512,
    });
  });

  it("honours the last occurrence of an option, like the JVM", () => {
    expect(parseCatalinaOpts("-Xmx1g -Xmx3g").options.heapMaxMiB).toBe(3072);
  });

  it.each([
    ["-Xmx10gb", "-Xmx10gb"],
    ["-Xmx", '"" '],
    ["-XX:MaxPermSize=big", "MaxPermSize=big"],
    ["-Xss1x", "-Xss1x"],
  ])("reports the unreadable size in %s", (opts, mentioned) => {
    const { problems } = parseCatalinaOpts(opts);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(mentioned.trim());
    expect(problems[0]).toMatch(/cannot read the size/);
  });

  it("reports -Xms larger than -Xmx", () => {
    expect(parseCatalinaOpts("-Xms4g -Xmx2g").problems).toEqual([
      "-Xms (4096 MiB) is larger than -Xmx (2048 MiB); the JVM refuses to start",
    ]);
  });

  it("reports a young generation not smaller than the heap", () => {
    const { problems } = parseCatalinaOpts("-Xmx2g -XX:NewSize=2g -XX:MaxNewSize=3g");
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^NewSize \(2048 MiB\) is not smaller than -Xmx \(2048 MiB\)/);
    expect(problems[1]).toMatch(/^MaxNewSize \(3072 MiB\) is not smaller than -Xmx/);
  });

  it("reports PermSize larger than MaxPermSize", () => {
    expect(parseCatalinaOpts("-XX:PermSize=512m -XX:MaxPermSize=256m").problems).toEqual([
      "PermSize (512 MiB) is larger than MaxPermSize (256 MiB)",
    ]);
  });

  it("accepts consistent options without complaint", () => {
    expect(
      parseCatalinaOpts("-Xms1g -Xmx2g -XX:NewSize=512m -XX:PermSize=256m -XX:MaxPermSize=512m").problems,
    ).toEqual([]);
  });
});

describe("analyseCatalinaOpts", () => {
  it("finds that the seed's options would get the mc container OOM-killed", () => {
    expect(analyseCatalinaOpts(SEED_OPTS, 10240)).toEqual({
      heapMaxMiB: 10240,
      nonHeapMiB: 2048,
      overheadMiB: 1024,
      requiredMiB: 13312,
      fits: false,
      problems: [],
    });
  });

  it("assumes 256 MiB of class metadata when nothing caps it", () => {
    const analysis = analyseCatalinaOpts("-Xmx1g", 2048);
    expect(analysis.nonHeapMiB).toBe(256);
    expect(analysis.requiredMiB).toBe(1024 + 256 + 512);
    expect(analysis.fits).toBe(true);
  });

  it("counts MaxMetaspaceSize as the non-heap part", () => {
    expect(analyseCatalinaOpts("-Xmx2g -XX:MaxMetaspaceSize=384m", 4096).nonHeapMiB).toBe(384);
  });

  it("counts the larger of MaxPermSize and MaxMetaspaceSize when both are given", () => {
    expect(analyseCatalinaOpts("-XX:MaxPermSize=512m -XX:MaxMetaspaceSize=768m", 4096).nonHeapMiB).toBe(768);
  });

  it("charges 10% of a large heap as overhead and rounds the total up", () => {
    const analysis = analyseCatalinaOpts("-Xmx8g", 16384);
    expect(analysis.overheadMiB).toBeCloseTo(819.2);
    expect(analysis.requiredMiB).toBe(9268);
  });

  it("fits exactly at the container's limit", () => {
    expect(analyseCatalinaOpts("-Xmx1280m", 2048).fits).toBe(true);
    expect(analyseCatalinaOpts("-Xmx1281m", 2048).fits).toBe(false);
  });

  it("assumes a quarter of the container as heap when -Xmx is absent", () => {
    const analysis = analyseCatalinaOpts("-server", 4096);
    expect(analysis.heapMaxMiB).toBeUndefined();
    expect(analysis.requiredMiB).toBe(1024 + 256 + 512);
  });

  it("passes the parse problems on", () => {
    expect(analyseCatalinaOpts("-Xms4g -Xmx2g -Xss1q", 8192).problems).toHaveLength(2);
  });
});

describe("describeMemoryNeed", () => {
  it("spells the sizes as the operator wrote them", () => {
    expect(describeMemoryNeed(SEED_OPTS, 10240)).toBe("-Xmx10g + MaxPermSize 2048m + ~1024m JVM overhead");
  });

  it("names Metaspace or the assumption when there is no MaxPermSize", () => {
    expect(describeMemoryNeed("-Xmx6g -XX:MaxMetaspaceSize=1g", 4096)).toBe(
      "-Xmx6g + MaxMetaspaceSize 1g + ~615m JVM overhead",
    );
    expect(describeMemoryNeed("-Xmx6g", 4096)).toMatch(/^-Xmx6g \+ ~256m PermGen\/Metaspace/);
  });
});

describe("suggestCatalinaOpts", () => {
  it("lowers only -Xmx of the seed, keeping every other option in place", () => {
    expect(suggestCatalinaOpts(SEED_OPTS, 10240)).toBe(
      "-Djava.awt.headless=true -Dfile.encoding=UTF-8 -server -Xms4g -Xmx7424m -XX:NewSize=2048m " +
        "-XX:MaxNewSize=2048m -XX:PermSize=2048m -XX:MaxPermSize=2048m -XX:+DisableExplicitGC",
    );
    expect(analyseCatalinaOpts(suggestCatalinaOpts(SEED_OPTS, 10240), 10240).fits).toBe(true);
  });

  it("returns options that already fit unchanged, whitespace included", () => {
    const opts = "  -server   -Xmx2g\t-XX:MaxPermSize=512m ";
    expect(suggestCatalinaOpts(opts, 8192)).toBe(opts);
  });

  it("keeps the original whitespace between options when it rewrites", () => {
    expect(suggestCatalinaOpts("-server  -Xmx8g\t-Dx=1", 4096)).toBe("-server  -Xmx3328m\t-Dx=1");
  });

  it("lowers -Xms together with -Xmx", () => {
    expect(suggestCatalinaOpts("-Xms8g -Xmx8g", 4096)).toBe("-Xms3328m -Xmx3328m");
  });

  it("lowers a PermGen larger than a quarter of the container, and PermSize with it", () => {
    const suggestion = suggestCatalinaOpts("-Xmx2g -XX:PermSize=2g -XX:MaxPermSize=2g", 4096);
    expect(suggestion).toBe("-Xmx2g -XX:PermSize=1g -XX:MaxPermSize=1g");
    expect(analyseCatalinaOpts(suggestion, 4096).fits).toBe(true);
  });

  it("lowers MaxMetaspaceSize the same way and does not add -Xmx when the default heap then fits", () => {
    expect(suggestCatalinaOpts("-server -XX:MaxMetaspaceSize=4g", 4096)).toBe(
      "-server -XX:MaxMetaspaceSize=1g",
    );
  });

  it("shrinks a young generation that would take more than half the new heap", () => {
    expect(suggestCatalinaOpts("-Xmx8g -XX:NewSize=3g -XX:MaxNewSize=3g", 4096)).toBe(
      "-Xmx3328m -XX:NewSize=1088m -XX:MaxNewSize=1088m",
    );
  });

  it("fixes -Xms above -Xmx even when the memory fits", () => {
    expect(suggestCatalinaOpts("-Xms3g -Xmx2g", 8192)).toBe("-Xms2g -Xmx2g");
  });

  it("adds -Xmx when the JVM's default heap does not fit", () => {
    const suggestion = suggestCatalinaOpts("-server", 900);
    expect(suggestion).toBe("-server -Xmx128m");
    expect(analyseCatalinaOpts(suggestion, 900).fits).toBe(true);
  });

  it("rewrites every occurrence of a repeated option", () => {
    expect(suggestCatalinaOpts("-Xmx8g -Dx=1 -Xmx8g", 4096)).toBe("-Xmx3328m -Dx=1 -Xmx3328m");
  });

  it("leaves unreadable options alone", () => {
    expect(suggestCatalinaOpts("-Xmx10g -Xss1x", 4096)).toBe("-Xmx3328m -Xss1x");
  });

  it("cannot make a JVM fit a container smaller than its fixed overhead", () => {
    const suggestion = suggestCatalinaOpts("-Xmx1g", 512);
    expect(suggestion).toBe("-Xmx64m");
    expect(analyseCatalinaOpts(suggestion, 512).fits).toBe(false);
  });

  it("fits the seed's options into any container from 1 GiB to 64 GiB", () => {
    for (let memory = 1024; memory <= 65536; memory += 256) {
      const suggestion = suggestCatalinaOpts(SEED_OPTS, memory);
      const analysis = analyseCatalinaOpts(suggestion, memory);
      expect({ memory, fits: analysis.fits, problems: analysis.problems }).toEqual({
        memory,
        fits: true,
        problems: [],
      });
      expect(nonMemoryTokens(suggestion)).toEqual(nonMemoryTokens(SEED_OPTS));
      expect(suggestion).toMatch(/-Xmx\d+[mg] /);
    }
  });
});

describe("defaultCatalinaOpts", () => {
  it("sizes the seed's option list for the default 10 GiB container", () => {
    expect(defaultCatalinaOpts(10240)).toBe(
      "-Djava.awt.headless=true -Dfile.encoding=UTF-8 -server -Xms4g -Xmx8g -XX:NewSize=2g -XX:MaxNewSize=2g " +
        "-XX:PermSize=1g -XX:MaxPermSize=1g -XX:+DisableExplicitGC",
    );
  });

  it("keeps the seed's options in the seed's order", () => {
    const optionNames = (opts: string) => opts.split(" ").map((token) => token.replace(/[=\d].*$|\d.*$/, ""));
    expect(optionNames(defaultCatalinaOpts(4096))).toEqual(optionNames(SEED_OPTS));
  });

  it("fits, without problems, any container from 1 GiB to 64 GiB", () => {
    for (let memory = 1024; memory <= 65536; memory += 128) {
      const analysis = analyseCatalinaOpts(defaultCatalinaOpts(memory), memory);
      expect({ memory, fits: analysis.fits, problems: analysis.problems }).toEqual({
        memory,
        fits: true,
        problems: [],
      });
    }
  });
});
