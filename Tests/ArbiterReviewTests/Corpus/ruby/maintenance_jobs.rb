# Background jobs that shell out, fetch remote resources and load caches.
require "open3"
require "open-uri"
require "net/http"
require "shellwords"
require "yaml"

class ExportJob
  def convert(src, dst)
    system("convert #{src} -resize 50% #{dst}")  # arbiter-expect: RB-CMDI-001
  end

  def archive(dir)
    `tar czf /backups/export.tgz #{dir}`  # arbiter-expect: RB-CMDI-001
  end

  def checksum(path)
    %x(sha256sum #{path})  # arbiter-expect: RB-CMDI-001
  end

  def git_log(ref)
    out, _status = Open3.capture2("git log --oneline #{ref}")  # arbiter-expect: RB-CMDI-001
    out
  end

  def run_hook(params)
    exec(params[:hook])  # arbiter-expect: RB-CMDI-001
  end

  def read_remote(params)
    open(params[:url]).read  # arbiter-expect: RB-CMDI-002
  end

  def fetch_preview(params)
    Net::HTTP.get(URI(params[:url]))  # arbiter-expect: RB-SSRF-001
  end

  def restore(blob)
    Marshal.load(blob)  # arbiter-expect: RB-DESER-001
  end

  def parse_settings(text)
    YAML.load(text)  # arbiter-expect: RB-DESER-002
  end

  def evaluate(expression)
    eval(expression)  # arbiter-expect: RB-EVAL-001
  end

  def calculate(params)
    instance_eval(params[:formula])  # arbiter-expect: RB-EVAL-001
  end

  # ---------------------------------------------------------------- safe look-alikes

  def convert_safe(src, dst)
    system("convert", src, "-resize", "50%", dst)
  end

  def archive_safe(dir)
    `tar czf /backups/export.tgz #{Shellwords.escape(dir)}`
  end

  def uptime
    `uptime`
  end

  def git_log_safe(ref)
    out, _status = Open3.capture2("git", "log", "--oneline", ref)
    out
  end

  def read_local(name)
    File.open(Rails.root.join("exports", File.basename(name))).read
  end

  def parse_settings_safe(text)
    YAML.safe_load(text, permitted_classes: [Date])
  end

  def describe
    # never call system("rm -rf #{dir}") or eval(params[:code]) here
    "use Open3.capture2 with separate arguments"
  end

  def configure
    instance_eval do
      @ready = true
    end
  end
end
