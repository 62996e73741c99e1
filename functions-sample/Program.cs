using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using ServerlessRyw;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseReadYourWrites(); // binds the "ServerlessRyw" app settings: Primary, Replicas, Mode, WaitBudget, ...

// The toolkit's counters (replica/primary reads, waits, rejected tokens, envelopes) reach Application Insights as
// custom metrics when the app has a connection string, as Azure sets APPLICATIONINSIGHTS_CONNECTION_STRING.
if (!string.IsNullOrEmpty(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
{
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddMeter(RywClient.MeterName)
        .AddAzureMonitorMetricExporter());
}

builder.Build().Run();
