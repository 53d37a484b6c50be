#pragma once

// The style sheet of the /docs page, kept apart from the code that writes the page.
namespace hookhost::apidocs {

inline constexpr const char* kStyle = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f7f8fa;line-height:1.45}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin-top:40px;border-bottom:2px solid #d8dce4;padding-bottom:4px}
h3{margin:0;font-size:1.05em;font-weight:600}
code,pre{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.92em}
code{background:#eceff4;padding:1px 4px;border-radius:3px}
pre{background:#1d2330;color:#e8ebf1;padding:10px 12px;border-radius:6px;overflow:auto}
nav ul{columns:2;padding-left:18px}
.op{background:#fff;border:1px solid #d8dce4;border-radius:8px;margin:16px 0;padding:14px 16px}
.op header{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.method{font-weight:700;text-transform:uppercase;color:#fff;border-radius:4px;padding:2px 8px;font-size:.85em}
.get{background:#2f6fde}.post{background:#2e9b5f}.delete{background:#c8413b}.put,.patch{background:#b7791f}
.path{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}
.public{font-size:.8em;color:#52607a;border:1px solid #b9c0cd;border-radius:10px;padding:0 8px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{text-align:left;border-bottom:1px solid #e3e6ec;padding:5px 8px;vertical-align:top}
th{font-size:.85em;color:#52607a;font-weight:600}
.req{color:#c8413b;font-size:.85em}
h4{margin:14px 0 4px;font-size:.9em;text-transform:uppercase;color:#52607a;letter-spacing:.04em}
)css";

}  // namespace hookhost::apidocs
