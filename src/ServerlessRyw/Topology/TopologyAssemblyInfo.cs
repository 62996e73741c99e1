using System.Runtime.CompilerServices;

// The sentinel suite tests the reply parsers directly; the project's own InternalsVisibleTo list lives in the csproj,
// which this folder must not touch, so the grant is declared here.
[assembly: InternalsVisibleTo("ServerlessRyw.Sentinel.Tests")]
