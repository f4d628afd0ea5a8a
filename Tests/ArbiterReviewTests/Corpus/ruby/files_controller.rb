# Document download and preview endpoints.
class FilesController < ApplicationController
  UPLOAD_ROOT = Rails.root.join("storage", "uploads")

  def show
    send_file params[:path]  # arbiter-expect: RB-PATH-001
  end

  def download
    path = File.join(UPLOAD_ROOT, params[:name])  # arbiter-expect: RB-PATH-001
    send_data File.read(path), filename: File.basename(path)
  end

  def raw_text
    render plain: File.read("storage/exports/#{params[:file]}")  # arbiter-expect: RB-PATH-001
  end

  def template
    render params[:view]  # arbiter-expect: RB-PATH-001
  end

  def destroy
    FileUtils.rm_f(params[:path])  # arbiter-expect: RB-PATH-001
    head :no_content
  end

  def preview
    @html = raw params[:body]  # arbiter-expect: RB-XSS-001
    @title = raw(@document.title)  # arbiter-expect: RB-XSS-001
  end

  def proxy
    uri = URI.parse(params[:url])  # arbiter-expect: RB-SSRF-001
    render plain: HTTParty.get(params[:mirror]).body  # arbiter-expect: RB-SSRF-001
    head :ok unless uri
  end

  # ---------------------------------------------------------------- safe look-alikes

  def download_safe
    name = File.basename(params[:name].to_s)
    path = UPLOAD_ROOT.join(name)
    raise ActionController::RoutingError, "not found" unless path.to_s.start_with?(UPLOAD_ROOT.to_s)
    send_file path
  end

  def show_by_id
    document = current_user.documents.find(params[:id])
    send_file document.storage_path
  end

  def preview_safe
    raw_body = params[:body].to_s
    @html = sanitize(raw_body)
    @title = raw t("documents.preview_title_html")
  end

  def proxy_safe
    response = HTTParty.get("https://mirror.internal/status")
    render plain: response.body
  end
end
