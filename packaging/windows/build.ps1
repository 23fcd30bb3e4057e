# Build Inspector on Windows: dist\Inspector\Inspector.exe (GUI) + InspectorConsole.exe
# (console twin for scripts and the self-test), run the bundle's self-test, then the
# installer dist\Inspector-<version>-setup.exe with Inno Setup 6 (if installed).
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-NoInstaller]
#
# Needs: 64-bit Python 3.11 (the "py" launcher), internet access to PyPI and to
# download.pytorch.org (CPU-only torch wheel), Inno Setup 6.3+ for the installer step.
# Same spec as Linux: packaging\inspector.spec. NOT tested by the team (see docs\packaging.md).
param(
    [string]$PythonVersion = "3.11",
    [string]$Torch = "torch==2.14.1",
    [string]$TorchIndex = "https://download.pytorch.org/whl/cpu",
    [switch]$NoInstaller
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $Root
$Start = Get-Date

function Invoke-Checked {
    param([string]$Exe, [string[]]$Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$Venv = Join-Path $Root "build\venv-win"
$Py = Join-Path $Venv "Scripts\python.exe"
if (-not (Test-Path $Py)) {
    Write-Host "Creating build venv $Venv ..."
    Invoke-Checked "py" @("-$PythonVersion", "-m", "venv", $Venv)
}
Invoke-Checked $Py @("-m", "pip", "install", "--upgrade", "pip")
# CPU-only torch first, so nothing pulls a CUDA build.
Invoke-Checked $Py @("-m", "pip", "install", $Torch, "--index-url", $TorchIndex)
# Every other runtime dependency from pyproject.toml (torchvision is not used by the app),
# plus the PostgreSQL driver (a station of a line whose project database is on a server
# needs it; the shop PC has no Python to install it into), as build.sh does.
$Req = Join-Path $Root "build\requirements-bundle.txt"
New-Item -ItemType Directory -Force (Join-Path $Root "build") | Out-Null
Invoke-Checked $Py @("-c", @"
import re, tomllib
project = tomllib.load(open('pyproject.toml', 'rb'))['project']
deps = project['dependencies'] + project['optional-dependencies']['postgres']
keep = [d for d in deps if re.split(r'[<>=!~ \[]', d)[0] not in ('torch', 'torchvision')]
open(r'$Req', 'w', encoding='utf-8').write('\n'.join(keep) + '\n')
"@)
Invoke-Checked $Py @("-m", "pip", "install", "-r", $Req, "pyinstaller>=6.5")
Invoke-Checked $Py @("-c", "import torch; assert torch.version.cuda is None, 'CUDA torch installed'; print('torch', torch.__version__)")

Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "$Root\dist", "--workpath", "$Root\build\pyinstaller", "$Root\packaging\inspector.spec")

$Size = (Get-ChildItem -Recurse "$Root\dist\Inspector" | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Host ("Built dist\Inspector ({0:N0} MB) in {1:N0} s" -f $Size, ((Get-Date) - $Start).TotalSeconds)

Write-Host "Running the bundle's self-test ..."
Invoke-Checked "$Root\dist\Inspector\InspectorConsole.exe" @("--version")
Invoke-Checked "$Root\dist\Inspector\InspectorConsole.exe" @("--self-test")

if (-not $NoInstaller) {
    $Iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe") |
        Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found; install it or pass -NoInstaller" }
    $Version = (& $Py -c "import inspector; print(inspector.__version__)").Trim()
    Invoke-Checked $Iscc @("/DAppVersion=$Version", "$Root\packaging\windows\inspector.iss")
    Write-Host "Installer: dist\Inspector-$Version-setup.exe"
}
