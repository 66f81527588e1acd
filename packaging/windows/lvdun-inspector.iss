; Inno Setup script for the Windows installer of 绿盾 Inspector (untested: see README "Packaging").
; Build the one-folder bundle on Windows first:
;   python packaging/build_bureau.py build --bureau bureaus\320900.toml --no-deb
; then compile this script with ISCC, passing the bureau and the bundle folder:
;   iscc /DAdcode=320900 /DBureauName="盐城市生态环境局" /DAppVersion=0.1.0 ^
;        /DBundleDir=build\bundle\lvdun-inspector packaging\windows\lvdun-inspector.iss
; It installs per user (no administrator needed); workspaces live in the user's data folder
; and survive upgrades, which reuse the same AppId.

#ifndef Adcode
  #define Adcode "320900"
#endif
#ifndef BureauName
  #define BureauName "绿盾 Inspector"
#endif
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\build\bundle\lvdun-inspector"
#endif

[Setup]
AppId={{6C1D4E0A-3B52-4F4B-9A55-LVDUN-{#Adcode}}
AppName=绿盾 Inspector（{#BureauName}）
AppVersion={#AppVersion}
DefaultDirName={localappdata}\Programs\lvdun-inspector-{#Adcode}
DefaultGroupName=绿盾 Inspector
PrivilegesRequired=lowest
OutputBaseFilename=lvdun-inspector-{#Adcode}-{#AppVersion}-windows-x86_64
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
; ChineseSimplified.isl is an official translation only in recent Inno Setup releases; with an
; older compiler put it (jrsoftware.org/files/istrans/) in the compiler's Languages folder.
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\绿盾 Inspector"; Filename: "{app}\lvdun-inspector.exe"; Parameters: "gui"
Name: "{userdesktop}\绿盾 Inspector"; Filename: "{app}\lvdun-inspector.exe"; Parameters: "gui"

[Run]
Filename: "{app}\lvdun-inspector.exe"; Parameters: "gui"; Description: "启动 绿盾 Inspector"; Flags: nowait postinstall skipifsilent
