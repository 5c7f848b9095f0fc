# Installs the connector's Sage 100 agent as a Windows service on the Sage 100 server, in one command
# (run as Administrator, from this repository's root, with Node.js 20 installed):
#
#   powershell -ExecutionPolicy Bypass -File services\sage100-agent\install.ps1 `
#     -Secret <the connection's agent secret, 32+ characters> -Company ABC -User AGENT `
#     -Password <BOI user's password> -Mas90Home 'C:\Sage\Sage 100\MAS90\Home' `
#     -TlsKey C:\agent\key.pem -TlsCert C:\agent\cert.pem [-TlsCa C:\agent\ca.pem] [-Port 8443]
#
# It installs the packages plus winax (the COM bridge, built with the server's Visual
# C++ build tools) and node-windows (WinSW, which runs the agent as a service), builds the
# TypeScript, and registers and starts the service "Sage 100 Connector Agent". `-Uninstall` removes
# the service. NOT RUN: this project has no Windows machine; see docs/sage100.md.
param(
  [string]$Secret, [string]$Company, [string]$User, [string]$Password, [string]$Mas90Home,
  [string]$TlsKey, [string]$TlsCert, [string]$TlsCa = '', [int]$Port = 8443, [switch]$Uninstall
)
$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..\..')
$script = 'dist\services\sage100-agent\src\install.js'
if ($Uninstall) { $env:TS_NODE_BASEURL = 'dist'; node -r tsconfig-paths/register $script uninstall; exit $LASTEXITCODE }
npm ci --no-audit --no-fund
npm install --no-save --no-audit --no-fund winax@3.6.9 node-windows@1.0.0-beta.8
npm run -s build
$env:TS_NODE_BASEURL = 'dist'
$env:SAGE100_AGENT_SECRET = $Secret; $env:SAGE100_COMPANY = $Company; $env:SAGE100_USER = $User
$env:SAGE100_PASSWORD = $Password; $env:SAGE100_MAS90_HOME = $Mas90Home
$env:SAGE100_AGENT_TLS_KEY = $TlsKey; $env:SAGE100_AGENT_TLS_CERT = $TlsCert
$env:SAGE100_AGENT_TLS_CA = $TlsCa; $env:SAGE100_AGENT_PORT = "$Port"
node -r tsconfig-paths/register $script install
exit $LASTEXITCODE
