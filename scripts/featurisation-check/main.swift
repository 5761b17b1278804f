import Foundation
let data = try! Data(contentsOf: URL(fileURLWithPath: "texts.bin"))
let texts = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
let mb = Double(texts.reduce(0) { $0 + $1.utf8.count }) / 1e6
let prompt = "What is the capital of France? Tell me about OpenAI."
func cpu() -> Double { var u = rusage(); getrusage(RUSAGE_SELF.rawValue, &u); return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 }
var mismatches = 0
for t in texts {
    let a = TextFeatures(text: t, prompt: prompt), b = NaiveTextFeatures(text: t, prompt: prompt).features
    if !(a.words == b.words && a.characters == b.characters && a.openings == b.openings && a.style.map(\.bitPattern) == b.style.map(\.bitPattern) && a.markers == b.markers && a.identity == b.identity && a.length == b.length) { mismatches += 1 }
}
print("texts \(texts.count), \(mb) MB, mismatches \(mismatches)")
var sink = 0
let reps = Int(CommandLine.arguments.dropFirst().first ?? "1") ?? 1
var c0 = cpu()
for _ in 0..<reps { for t in texts { sink &+= NaiveTextFeatures(text: t, prompt: prompt).features.words.count } }
var s = cpu() - c0
print(String(format: "naive: %.3f s CPU, %.2f MB/s, %.0f texts/s", s, mb * Double(reps) / s, Double(texts.count * reps) / s))
c0 = cpu()
for _ in 0..<reps { for t in texts { sink &+= TextFeatures(text: t, prompt: prompt).words.count } }
s = cpu() - c0
print(String(format: "new:   %.3f s CPU, %.2f MB/s, %.0f texts/s", s, mb * Double(reps) / s, Double(texts.count * reps) / s))
for f in TextFeatures.Family.allCases {
    c0 = cpu()
    for _ in 0..<reps { for t in texts { sink &+= TextFeatures.extract(f, text: t, prompt: prompt) } }
    s = cpu() - c0
    print(String(format: "  %@: %.2f MB/s", f.rawValue, mb * Double(reps) / s))
}
if sink == 42 { print("") }
let asciiTexts = texts.filter { $0.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } }
let otherTexts = texts.filter { !$0.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } }
for (name, set) in [("ascii", asciiTexts), ("other", otherTexts)] {
    let mb2 = Double(set.reduce(0) { $0 + $1.utf8.count }) / 1e6
    c0 = cpu()
    for t in set { sink &+= TextFeatures(text: t, prompt: prompt).words.count }
    s = cpu() - c0
    print(String(format: "%@ (%d texts, %.2f MB): %.3f s, %.2f MB/s", name, set.count, mb2, s, mb2 / s))
}
