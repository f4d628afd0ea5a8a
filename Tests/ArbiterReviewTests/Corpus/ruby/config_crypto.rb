# Payment gateway client configuration.
require "digest"
require "openssl"
require "securerandom"

module Billing
  API_KEY = "pk-billing-92f1c7d3e5"  # arbiter-expect: RB-SECRET-001
  DB_CONFIG = { adapter: "postgresql", username: "billing", password: "Autumn2024!" }  # arbiter-expect: RB-SECRET-001

  class Client
    def initialize
      @http = Net::HTTP.new("gateway.internal", 443)
      @http.use_ssl = true
      @http.verify_mode = OpenSSL::SSL::VERIFY_NONE  # arbiter-expect: RB-TLS-001
    end

    def faraday
      Faraday.new(url: "https://gateway.internal", ssl: { verify: false })  # arbiter-expect: RB-TLS-001
    end

    def signature(body)
      Digest::MD5.hexdigest(body)  # arbiter-expect: RB-HASH-001
    end

    def legacy_fingerprint(body)
      OpenSSL::Digest::SHA1.hexdigest(body)  # arbiter-expect: RB-HASH-001
    end

    def reset_token
      token = rand(36**20).to_s(36)  # arbiter-expect: RB-RAND-001
      token
    end

    def pin_code
      pin = (0..9).to_a.shuffle.first(6).join  # arbiter-expect: RB-RAND-001
      pin
    end

    def charge(amount)
      yield amount
    rescue Exception => e  # arbiter-expect: RB-BUG-001
      Rails.logger.error(e.message)
    end

    # ---------------------------------------------------------------- safe look-alikes

    def secure_http
      @http = Net::HTTP.new("gateway.internal", 443)
      @http.use_ssl = true
      @http.verify_mode = OpenSSL::SSL::VERIFY_PEER
    end

    def signature_safe(body, key)
      OpenSSL::HMAC.hexdigest("SHA256", key, body)
    end

    def digest_safe(body)
      Digest::SHA256.hexdigest(body)
    end

    def reset_token_safe
      token = SecureRandom.urlsafe_base64(32)
      token
    end

    def jitter
      sleep(rand(0.5..1.5))
    end

    def credentials
      password = ENV.fetch("BILLING_PASSWORD")
      api_key = Rails.application.credentials.billing_api_key
      [password, api_key]
    end

    def password_field
      { label: "Password", password_hint: "PASSWORD_HINT", token_type: "bearer" }
    end

    def charge_safe(amount)
      yield amount
    rescue StandardError => e
      Rails.logger.error(e.message)
    end
  end
end
